namespace Tabby.Cni.Spec;

/// <summary>
/// The specification versions this plugin speaks. Results are written in the shape of the version the
/// configuration asks for: 0.3.0/0.3.1/0.4.0 carry <c>"version"</c> in each IP entry, 1.0.0 and
/// later do not. Versions before 0.3.0 used another result shape and are refused with code 1.
/// </summary>
public static class CniVersion
{
    public const string V030 = "0.3.0";
    public const string V031 = "0.3.1";
    public const string V040 = "0.4.0";
    public const string V100 = "1.0.0";
    public const string V110 = "1.1.0";

    /// <summary>What VERSION reports, oldest first.</summary>
    public static readonly IReadOnlyList<string> Supported = [V030, V031, V040, V100, V110];

    public static bool IsSupported(string version) => Supported.Contains(version, StringComparer.Ordinal);

    /// <summary>Result entries carry an IP "version" field (0.3.x, 0.4.0).</summary>
    public static bool HasIpVersionField(string version) => Compare(version, V100) < 0;

    /// <summary>CHECK exists from 0.4.0 on.</summary>
    public static bool SupportsCheck(string version) => Compare(version, V040) >= 0;

    /// <summary>STATUS and GC exist from 1.1.0 on.</summary>
    public static bool SupportsStatusAndGc(string version) => Compare(version, V110) >= 0;

    /// <summary>Orders "major.minor.patch" strings numerically; malformed parts count as 0.</summary>
    public static int Compare(string a, string b)
    {
        var x = Parts(a);
        var y = Parts(b);
        for (var i = 0; i < 3; i++)
        {
            var c = x[i].CompareTo(y[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    private static int[] Parts(string version)
    {
        var result = new int[3];
        var parts = version.Split('.');
        for (var i = 0; i < Math.Min(3, parts.Length); i++)
        {
            _ = int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out result[i]);
        }

        return result;
    }
}
