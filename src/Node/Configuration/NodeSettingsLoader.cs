using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tabby.Common.Logging;
using Tabby.Datastore;
using YamlDotNet.RepresentationModel;

namespace Tabby.Node.Configuration;

/// <summary>
/// Reads tabby-node's settings from environment variables named like calico-node's (NODENAME, IP,
/// IP_AUTODETECTION_METHOD, AS, CALICO_IPV4POOL_CIDR ...) and, optionally, a YAML file of the same
/// keys (the environment wins). Every bad value is reported with the setting's name, all at once.
/// </summary>
public static class NodeSettingsLoader
{
    public static NodeSettings Load(IReadOnlyDictionary<string, string?> environment, string? configFile = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (configFile is not null)
        {
            foreach (var (key, value) in ReadFile(configFile))
            {
                values[key] = value;
            }
        }

        foreach (var (key, value) in environment)
        {
            if (value is not null)
            {
                values[key] = value;
            }
        }

        var errors = new List<SettingError>();
        var reader = new Reader(values, errors);
        var nodeName = reader.String("NODENAME") ?? reader.String("HOSTNAME") ?? SafeHostName();
        if (string.IsNullOrWhiteSpace(nodeName) || nodeName.Length > 253 || nodeName.Any(c => char.IsWhiteSpace(c) || c == '/'))
        {
            errors.Add(new SettingError("NODENAME", nodeName, "must be a node name (no spaces or '/', at most 253 characters)"));
        }

        var ipv4 = reader.Address("IP", "IP_AUTODETECTION_METHOD", AddressFamily.InterNetwork, defaultMode: "autodetect");
        var ipv6 = reader.Address("IP6", "IP6_AUTODETECTION_METHOD", AddressFamily.InterNetworkV6, defaultMode: "none");
        var backend = reader.Enum("CALICO_NETWORKING_BACKEND", NetworkingBackend.Bgp, new Dictionary<string, NetworkingBackend>
        {
            ["bird"] = NetworkingBackend.Bgp, ["bgp"] = NetworkingBackend.Bgp, ["vxlan"] = NetworkingBackend.Vxlan, ["none"] = NetworkingBackend.None,
        });
        var logLevel = LogLevel.Information;
        var levelText = reader.String("TABBY_LOG_LEVEL") ?? reader.String("FELIX_LOGSEVERITYSCREEN");
        if (levelText is not null && !TabbyLogging.TryParseLevel(levelText, out logLevel))
        {
            errors.Add(new SettingError("TABBY_LOG_LEVEL", levelText, "expected debug, info, warning, error, fatal or none"));
        }

        DatastoreSettings datastore;
        try
        {
            datastore = DatastoreSettings.FromEnvironment(values);
        }
        catch (ArgumentException e)
        {
            errors.Add(new SettingError("DATASTORE_TYPE", reader.String("DATASTORE_TYPE"), e.Message));
            datastore = new DatastoreSettings();
        }

        var noDefaultPools = reader.Bool("NO_DEFAULT_POOLS", false);
        var settings = new NodeSettings
        {
            NodeName = nodeName ?? "",
            IPv4 = ipv4,
            IPv6 = ipv6,
            AsNumber = reader.AsNumber("AS"),
            RouterId = reader.RouterId("CALICO_ROUTER_ID"),
            Datastore = datastore,
            DefaultIPv4Pool = noDefaultPools || ipv4.Disabled ? null : reader.Pool("CALICO_IPV4POOL", AddressFamily.InterNetwork, "192.168.0.0/16"),
            DefaultIPv6Pool = noDefaultPools || ipv6.Disabled ? null : reader.Pool("CALICO_IPV6POOL", AddressFamily.InterNetworkV6, null),
            Backend = backend,
            LogLevel = logLevel,
            HealthHost = reader.String("FELIX_HEALTHHOST") ?? "localhost",
            HealthPort = reader.Port("FELIX_HEALTHPORT", 9099, allowZero: false),
            MetricsPort = reader.Port("TABBY_METRICS_PORT", reader.Port("FELIX_PROMETHEUSMETRICSPORT", 9091, allowZero: true), allowZero: true),
            MetricsHost = reader.String("TABBY_METRICS_HOST") ?? "0.0.0.0",
            StatusSocket = reader.String("TABBY_STATUS_SOCKET") ?? "/var/run/tabby/status.sock",
            MtuFile = reader.String("TABBY_MTU_FILE") ?? "/var/lib/tabby/mtu",
            BgpPort = reader.Port("TABBY_BGP_PORT", 179, allowZero: false),
            PolicyEnabled = reader.Bool("TABBY_POLICY_ENABLED", true),
            Namespace = reader.String("TABBY_NAMESPACE") ?? reader.String("POD_NAMESPACE") ?? "tabby-system",
        };
        if (!System.Text.RegularExpressions.Regex.IsMatch(settings.Namespace, "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"))
        {
            errors.Add(new SettingError("TABBY_NAMESPACE", settings.Namespace, "is not a Kubernetes namespace name (lower-case letters, digits and '-', at most 63)"));
        }

        if (settings.IPv4.Disabled && settings.IPv6.Disabled)
        {
            errors.Add(new SettingError("IP", "none", "IPv4 and IPv6 are both off (IP=none and IP6=none)"));
        }

        if (errors.Count > 0)
        {
            throw new SettingsException(errors);
        }

        return settings;
    }

    private static string? SafeHostName()
    {
        try
        {
            return Dns.GetHostName();
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static Dictionary<string, string?> ReadFile(string path)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
        {
            throw new SettingsException([new SettingError("--config", path, $"cannot read the file: {e.Message}")]);
        }

        if (yaml.Documents.Count == 0)
        {
            return result;
        }

        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SettingsException([new SettingError("--config", path, "expected a mapping of SETTING: value")]);
        }

        foreach (var (key, value) in root.Children)
        {
            if (key is not YamlScalarNode { Value: { } name } || value is not YamlScalarNode scalar)
            {
                throw new SettingsException([new SettingError("--config", path, $"line {key.Start.Line}: expected SETTING: value")]);
            }

            result[name] = scalar.Value;
        }

        return result;
    }

    private sealed class Reader(Dictionary<string, string?> values, List<SettingError> errors)
    {
        public string? String(string name) => values.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        public bool Bool(string name, bool fallback)
        {
            var text = String(name);
            if (text is null)
            {
                return fallback;
            }

            switch (text.ToLowerInvariant())
            {
                case "true" or "yes" or "1" or "on": return true;
                case "false" or "no" or "0" or "off": return false;
                default:
                    errors.Add(new SettingError(name, text, "expected true or false"));
                    return fallback;
            }
        }

        public int Port(string name, int fallback, bool allowZero)
        {
            var text = String(name);
            if (text is null)
            {
                return fallback;
            }

            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535 || (port == 0 && !allowZero))
            {
                errors.Add(new SettingError(name, text, allowZero ? "expected a port number 0-65535 (0 = off)" : "expected a port number 1-65535"));
                return fallback;
            }

            return port;
        }

        public uint? AsNumber(string name)
        {
            var text = String(name);
            if (text is null)
            {
                return null;
            }

            // Plain (65001) or asdot (1.10) notation, RFC 5396.
            var dot = text.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0 && uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var plain) && plain != 0)
            {
                return plain;
            }

            if (dot > 0 && ushort.TryParse(text[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var high)
                && ushort.TryParse(text[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var low) && (high | low) != 0)
            {
                return ((uint)high << 16) | low;
            }

            errors.Add(new SettingError(name, text, "expected an AS number 1-4294967295 (or asdot notation, e.g. 1.10)"));
            return null;
        }

        public IPAddress? RouterId(string name)
        {
            var text = String(name);
            if (text is null || text == "hash")
            {
                return null;
            }

            if (IPAddress.TryParse(text, out var id) && id.AddressFamily == AddressFamily.InterNetwork)
            {
                return id;
            }

            errors.Add(new SettingError(name, text, "expected an IPv4 address (the BGP identifier)"));
            return null;
        }

        public T Enum<T>(string name, T fallback, Dictionary<string, T> names)
        {
            var text = String(name);
            if (text is null)
            {
                return fallback;
            }

            if (names.TryGetValue(text.ToLowerInvariant(), out var value))
            {
                return value;
            }

            errors.Add(new SettingError(name, text, "expected one of " + string.Join(", ", names.Keys)));
            return fallback;
        }

        public NodeAddressSetting Address(string name, string methodName, AddressFamily family, string defaultMode)
        {
            var text = String(name) ?? defaultMode;
            var method = AutodetectionMethod.Parse(String(methodName), out var methodError);
            if (methodError is not null)
            {
                errors.Add(new SettingError(methodName, String(methodName), methodError));
            }

            if (text.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                return NodeAddressSetting.Off;
            }

            if (text.Equals("autodetect", StringComparison.OrdinalIgnoreCase))
            {
                return new NodeAddressSetting { Method = method ?? new AutodetectionMethod.FirstFound() };
            }

            var withPrefix = text.Contains('/', StringComparison.Ordinal) ? text : text + (family == AddressFamily.InterNetwork ? "/32" : "/128");
            var slash = withPrefix.IndexOf('/', StringComparison.Ordinal);
            if (IPAddress.TryParse(withPrefix[..slash], out var address) && address.AddressFamily == family
                && int.TryParse(withPrefix[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
                && prefix <= (family == AddressFamily.InterNetwork ? 32 : 128))
            {
                // Keep the host address: IPNetwork would zero the host bits.
                return new NodeAddressSetting { Fixed = new NodeAddress(address, prefix) };
            }

            errors.Add(new SettingError(name, text,
                $"expected autodetect, none, or an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address with optional /prefix"));
            return new NodeAddressSetting();
        }

        public DefaultPoolSettings? Pool(string prefix, AddressFamily family, string? defaultCidr)
        {
            var cidrName = prefix + "_CIDR";
            var text = String(cidrName) ?? defaultCidr;
            if (text is null)
            {
                return null;
            }

            if (!IPNetwork.TryParse(text, out var cidr) || cidr.BaseAddress.AddressFamily != family || cidr.ToString() != Canonical(text))
            {
                errors.Add(new SettingError(cidrName, text, $"expected an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} CIDR without host bits"));
                return null;
            }

            var (min, max, fallback) = family == AddressFamily.InterNetwork ? (20, 32, 26) : (116, 128, 122);
            var blockName = prefix + "_BLOCK_SIZE";
            var blockText = String(blockName);
            var blockSize = fallback;
            if (blockText is not null && (!int.TryParse(blockText, NumberStyles.None, CultureInfo.InvariantCulture, out blockSize)
                                          || blockSize < min || blockSize > max))
            {
                errors.Add(new SettingError(blockName, blockText, $"expected a block size {min}-{max}"));
                blockSize = fallback;
            }

            if (blockSize < cidr.PrefixLength)
            {
                errors.Add(new SettingError(blockName, blockSize.ToString(CultureInfo.InvariantCulture),
                    $"blocks of /{blockSize} do not fit in {cidr}"));
            }

            var modes = new Dictionary<string, EncapsulationMode>
            {
                ["never"] = EncapsulationMode.Never, ["off"] = EncapsulationMode.Never,
                ["always"] = EncapsulationMode.Always, ["crosssubnet"] = EncapsulationMode.CrossSubnet,
            };
            var ipip = family == AddressFamily.InterNetwork ? Enum(prefix + "_IPIP", EncapsulationMode.Never, modes) : EncapsulationMode.Never;
            var vxlan = Enum(prefix + "_VXLAN", EncapsulationMode.Never, modes);
            if (ipip != EncapsulationMode.Never && vxlan != EncapsulationMode.Never)
            {
                errors.Add(new SettingError(prefix + "_IPIP", String(prefix + "_IPIP"), $"IPIP and VXLAN cannot both be on ({prefix}_VXLAN is {vxlan})"));
            }

            return new DefaultPoolSettings
            {
                Cidr = cidr,
                BlockSize = blockSize,
                Ipip = ipip,
                Vxlan = vxlan,
                NatOutgoing = Bool(prefix + "_NAT_OUTGOING", family == AddressFamily.InterNetwork),
                NodeSelector = String(prefix + "_NODE_SELECTOR") ?? "all()",
            };
        }

        private static string Canonical(string text)
        {
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            return slash > 0 && IPAddress.TryParse(text.AsSpan(0, slash), out var a) ? a + text[slash..] : text;
        }
    }
}
