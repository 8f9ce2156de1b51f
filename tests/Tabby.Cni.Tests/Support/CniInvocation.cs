using System.Text.Json;

namespace Tabby.Cni.Tests.Support;

/// <summary>What one run of the plugin binary returned: exit status, stdout (result or error JSON), stderr (logs), wall time.</summary>
public sealed record CniInvocation(string Command, int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The error object's code, or null when stdout is not an error.</summary>
    public int? ErrorCode
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Stdout))
            {
                return null;
            }

            using var json = JsonDocument.Parse(Stdout);
            return json.RootElement.TryGetProperty("code", out var code) ? code.GetInt32() : null;
        }
    }

    public JsonElement Json()
    {
        using var json = JsonDocument.Parse(Stdout);
        return json.RootElement.Clone();
    }

    /// <summary>Throws with everything the plugin said unless it succeeded.</summary>
    public CniInvocation EnsureSuccess() => Succeeded
        ? this
        : throw new InvalidOperationException($"CNI {Command} exited {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}");

    /// <summary>The addresses ("198.18.0.5") of an ADD result.</summary>
    public List<string> Addresses() =>
        Json().GetProperty("ips").EnumerateArray().Select(ip => ip.GetProperty("address").GetString()!.Split('/')[0]).ToList();
}
