using System.Text;
using Tabby.Datastore.Resources;

namespace Tabby.Datastore.Embedded;

/// <summary>
/// Where objects live on disk: <c>objects/&lt;plural&gt;[.&lt;group&gt;]/&lt;namespace or _cluster&gt;/&lt;name&gt;.json</c>.
/// Names are escaped so any Kubernetes name maps to exactly one safe file name.
/// </summary>
internal sealed class EmbeddedLayout
{
    public const string ClusterScopeDirectory = "_cluster";

    public EmbeddedLayout(string root)
    {
        Root = Path.GetFullPath(root);
        Objects = Path.Combine(Root, "objects");
        ChangeLog = Path.Combine(Root, ChangeLogFile.FileName);
    }

    public string Root { get; }
    public string Objects { get; }
    public string ChangeLog { get; }

    public static string KindKey(ResourceKind kind) => kind.Group.Length == 0 ? kind.Plural : kind.Plural + "." + kind.Group;

    public string KindDirectory(string kindKey) => Path.Combine(Objects, kindKey);

    public string NamespaceDirectory(string kindKey, string? ns) =>
        Path.Combine(KindDirectory(kindKey), ns is null ? ClusterScopeDirectory : Escape(ns));

    public string ObjectPath(string kindKey, string? ns, string name) =>
        Path.Combine(NamespaceDirectory(kindKey, ns), Escape(name) + ".json");

    /// <summary>Keeps [A-Za-z0-9-_] and inner dots; everything else (and a leading dot) becomes %XX of its UTF-8 bytes.</summary>
    public static string Escape(string name)
    {
        var builder = new StringBuilder(name.Length);
        var bytes = Encoding.UTF8.GetBytes(name);
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            var safe = b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'_' || (b == (byte)'.' && i > 0);
            if (safe)
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
