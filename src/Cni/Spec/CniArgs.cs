namespace Tabby.Cni.Spec;

/// <summary>
/// CNI_ARGS: <c>KEY=VALUE</c> pairs separated by ';'. Kubernetes runtimes pass K8S_POD_NAMESPACE,
/// K8S_POD_NAME, K8S_POD_INFRA_CONTAINER_ID and K8S_POD_UID; <c>IgnoreUnknown=1</c> says unknown keys
/// are not errors. Tabby also reads <c>IP</c> (comma-separated requested addresses, the CNI
/// convention) so the lab can pin addresses without Kubernetes.
/// </summary>
public sealed class CniArgs
{
    public static readonly CniArgs Empty = new(new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>Keys this plugin understands; others are refused unless IgnoreUnknown is set.</summary>
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "IgnoreUnknown", "K8S_POD_NAMESPACE", "K8S_POD_NAME", "K8S_POD_INFRA_CONTAINER_ID", "K8S_POD_UID", "IP",
    };

    private readonly IReadOnlyDictionary<string, string> _values;

    private CniArgs(IReadOnlyDictionary<string, string> values) => _values = values;

    public string? PodNamespace => Get("K8S_POD_NAMESPACE");

    public string? PodName => Get("K8S_POD_NAME");

    public string? PodUid => Get("K8S_POD_UID");

    /// <summary>Addresses asked for with <c>IP=a,b</c>.</summary>
    public string? RequestedIps => Get("IP");

    public bool IsKubernetesPod => PodName is not null && PodNamespace is not null;

    public string? Get(string key) => _values.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    public static CniArgs Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Empty;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CniException(CniErrorCode.InvalidEnvironment, $"CNI_ARGS entry \"{pair}\" is not KEY=VALUE");
            }

            values[pair[..equals]] = pair[(equals + 1)..];
        }

        var ignoreUnknown = values.TryGetValue("IgnoreUnknown", out var ignore)
            && (ignore == "1" || ignore.Equals("true", StringComparison.OrdinalIgnoreCase));
        if (!ignoreUnknown)
        {
            var unknown = values.Keys.Where(k => !Known.Contains(k)).Order(StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
            {
                throw new CniException(CniErrorCode.InvalidEnvironment,
                    $"CNI_ARGS has unknown key(s) {string.Join(", ", unknown)} (set IgnoreUnknown=1 to ignore them)");
            }
        }

        return new CniArgs(values);
    }
}
