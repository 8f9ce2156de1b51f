using System.Globalization;
using System.Net;
using System.Text.Json;
using Tabby.Cni.Spec;

namespace Tabby.Cni.Config;

/// <summary>
/// Parses and validates the configuration read from stdin. Every rejection names the field. Unknown
/// fields are ignored, as the specification lets plugins do (conflists carry other plugins' keys).
/// </summary>
public static class NetworkConfigParser
{
    /// <summary>IPAM types handled in-process.</summary>
    private static readonly HashSet<string> IpamTypes = new(StringComparer.Ordinal) { "tabby-ipam", "calico-ipam" };

    /// <summary>Reads just cniVersion (for VERSION and for errors raised before full parsing).</summary>
    public static string? PeekVersion(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("cniVersion", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static NetworkConfig Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new CniException(CniErrorCode.DecodingFailure, "the network configuration on stdin is not valid JSON", e.Message);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CniException(CniErrorCode.DecodingFailure, "the network configuration on stdin must be a JSON object");
            }

            var version = String(root, "cniVersion") ?? throw Invalid("cniVersion", "is required");
            if (!CniVersion.IsSupported(version))
            {
                throw new CniException(CniErrorCode.IncompatibleVersion,
                    $"cniVersion \"{version}\" is not supported (supported: {string.Join(", ", CniVersion.Supported)})");
            }

            var name = String(root, "name") ?? throw Invalid("name", "is required");
            var mtu = Int(root, "mtu");
            if (mtu is { } m && (m < 68 || m > 65535))
            {
                throw Invalid("mtu", $"{m} is outside 68-65535");
            }

            return new NetworkConfig
            {
                CniVersion = version,
                Name = name,
                Type = String(root, "type") ?? "tabby-cni",
                NodeName = String(root, "nodename"),
                NodenameFile = String(root, "nodename_file") ?? NetworkConfig.DefaultNodenameFile,
                Mtu = mtu,
                MtuFile = String(root, "mtu_file") ?? NetworkConfig.DefaultMtuFile,
                DatastoreType = String(root, "datastore_type"),
                EtcdEndpoints = String(root, "etcd_endpoints"),
                EtcdKeyFile = String(root, "etcd_key_file"),
                EtcdCertFile = String(root, "etcd_cert_file"),
                EtcdCaCertFile = String(root, "etcd_ca_cert_file"),
                Kubeconfig = root.TryGetProperty("kubernetes", out var k8s) && k8s.ValueKind == JsonValueKind.Object ? String(k8s, "kubeconfig", "kubernetes.") : null,
                DatastoreDirectory = String(root, "datastore_dir"),
                LogLevel = String(root, "log_level"),
                IpamLockFile = String(root, "ipam_lock_file") ?? NetworkConfig.DefaultIpamLockFile,
                Ipam = ParseIpam(root),
                PrevResult = root.TryGetProperty("prevResult", out var prev) && prev.ValueKind != JsonValueKind.Null ? CniResultJson.Read(prev) : null,
                RequestedIps = ParseRequestedIps(root),
                Labels = ParseLabels(root),
                ValidAttachments = ParseValidAttachments(root),
            };
        }
    }

    private static IpamConfig ParseIpam(JsonElement root)
    {
        if (!root.TryGetProperty("ipam", out var ipam) || ipam.ValueKind == JsonValueKind.Null)
        {
            return new IpamConfig();
        }

        if (ipam.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("ipam", "must be an object");
        }

        var type = String(ipam, "type", "ipam.") ?? "tabby-ipam";
        if (!IpamTypes.Contains(type))
        {
            throw new CniException(CniErrorCode.UnsupportedField,
                $"ipam.type \"{type}\" is not supported: Tabby allocates from its own IPAM (tabby-ipam, or calico-ipam as an alias)");
        }

        var config = new IpamConfig
        {
            Type = type,
            AssignIPv4 = Bool(ipam, "assign_ipv4", "ipam.") ?? true,
            AssignIPv6 = Bool(ipam, "assign_ipv6", "ipam.") ?? false,
            IPv4Pools = Strings(ipam, "ipv4_pools", "ipam."),
            IPv6Pools = Strings(ipam, "ipv6_pools", "ipam."),
        };
        if (!config.AssignIPv4 && !config.AssignIPv6)
        {
            throw Invalid("ipam", "assigns no address: assign_ipv4 and assign_ipv6 are both false");
        }

        return config;
    }

    private static List<IPAddress> ParseRequestedIps(JsonElement root)
    {
        var result = new List<IPAddress>();
        void Add(JsonElement list, string field)
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw Invalid(field, "must be a list of addresses");
            }

            var n = 0;
            foreach (var item in list.EnumerateArray())
            {
                var text = item.ValueKind == JsonValueKind.String ? item.GetString()! : "";
                // The "ips" capability allows CIDR notation; the prefix is ours to choose (/32, /128).
                var slash = text.IndexOf('/', StringComparison.Ordinal);
                if (!IPAddress.TryParse(slash < 0 ? text : text[..slash], out var address))
                {
                    throw Invalid($"{field}[{n}]", $"\"{text}\" is not an IP address");
                }

                result.Add(address);
                n++;
            }
        }

        if (root.TryGetProperty("runtimeConfig", out var runtime) && runtime.ValueKind == JsonValueKind.Object
            && runtime.TryGetProperty("ips", out var ips))
        {
            Add(ips, "runtimeConfig.ips");
        }

        if (CniArgsSection(root) is { } cni && cni.TryGetProperty("ips", out var argIps))
        {
            Add(argIps, "args.cni.ips");
        }

        return result;
    }

    private static Dictionary<string, string> ParseLabels(JsonElement root)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (CniArgsSection(root) is not { } cni || !cni.TryGetProperty("labels", out var list))
        {
            return labels;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("args.cni.labels", "must be a list of {\"key\", \"value\"} objects");
        }

        var n = 0;
        foreach (var item in list.EnumerateArray())
        {
            var key = item.ValueKind == JsonValueKind.Object ? String(item, "key", $"args.cni.labels[{n}].") : null;
            var value = item.ValueKind == JsonValueKind.Object ? String(item, "value", $"args.cni.labels[{n}].") : null;
            if (string.IsNullOrEmpty(key) || value is null)
            {
                throw Invalid($"args.cni.labels[{n}]", "needs a non-empty \"key\" and a \"value\"");
            }

            labels[key] = value;
            n++;
        }

        return labels;
    }

    private static List<(string, string)> ParseValidAttachments(JsonElement root)
    {
        var result = new List<(string, string)>();
        if (!root.TryGetProperty("cni.dev/valid-attachments", out var list))
        {
            return result;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("cni.dev/valid-attachments", "must be a list");
        }

        var n = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = $"cni.dev/valid-attachments[{n}].";
            var id = item.ValueKind == JsonValueKind.Object ? String(item, "containerID", at) : null;
            if (string.IsNullOrEmpty(id))
            {
                throw Invalid($"{at}containerID", "is required");
            }

            result.Add((id, String(item, "ifname", at) ?? ""));
            n++;
        }

        return result;
    }

    private static JsonElement? CniArgsSection(JsonElement root) =>
        root.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Object
        && args.TryGetProperty("cni", out var cni) && cni.ValueKind == JsonValueKind.Object ? cni : null;

    private static string? String(JsonElement element, string name, string prefix = "")
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid(prefix + name, "must be a string");
    }

    private static int? Int(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n))
        {
            return n;
        }

        // Calico's templates sometimes substitute numbers as strings ("mtu": "1440").
        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out n))
        {
            return n;
        }

        throw Invalid(name, "must be an integer");
    }

    /// <summary>Calico writes these as strings ("true"); JSON booleans are accepted too.</summary>
    private static bool? Bool(JsonElement element, string name, string prefix)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out var b) => b,
            _ => throw Invalid(prefix + name, "must be true or false"),
        };
    }

    private static List<string> Strings(JsonElement element, string name, string prefix)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
        {
            throw Invalid(prefix + name, "must be a list of strings");
        }

        return value.EnumerateArray().Select(v => v.GetString()!).ToList();
    }

    private static CniException Invalid(string field, string problem) => new(CniErrorCode.InvalidNetworkConfig, $"{field} {problem}");
}
