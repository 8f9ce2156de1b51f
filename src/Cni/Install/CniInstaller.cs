using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Tabby.Cni.Install;

/// <summary>
/// Puts the plugin on a host, as Calico's install-cni does for its DaemonSet: the plugin binary into
/// the host's CNI bin directory, a kubeconfig for it (from the pod's service account), and the
/// conflist into the host's CNI configuration directory, last — the runtime treats the node's
/// network as ready once a conflist exists, so it must only appear when the plugin can run. Every
/// file is written to a temporary name and renamed, so the runtime never reads or executes half a file.
/// </summary>
public sealed class CniInstaller(InstallSettings settings, TextWriter log)
{
    public const string PluginName = "tabby-cni";

    /// <summary>Where multi-file (framework-dependent) builds live under the bin directory.</summary>
    public const string PluginDirectoryName = "tabby-cni.d";

    public void Install()
    {
        Directory.CreateDirectory(settings.NetDirectory);
        if (!settings.SkipBinaries)
        {
            Directory.CreateDirectory(settings.BinDirectory);
            InstallBinary();
        }

        var kubeconfig = WriteKubeconfig();
        WriteConflist(kubeconfig);
    }

    /// <summary>
    /// A self-contained single-file build is one executable: copied as is. A framework-dependent
    /// build (the lab, dev machines with .NET) is a directory: copied into a fresh versioned
    /// directory under tabby-cni.d, then the tabby-cni launcher script is switched to it atomically.
    /// </summary>
    private void InstallBinary()
    {
        var source = Path.Combine(settings.SourceDirectory, PluginName);
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"the plugin executable {source} does not exist (set TABBY_CNI_SOURCE_DIR or --source-dir)", source);
        }

        var target = Path.Combine(settings.BinDirectory, PluginName);
        if (!File.Exists(Path.Combine(settings.SourceDirectory, PluginName + ".dll")))
        {
            CopyAtomically(source, target, executable: true);
            log.WriteLine($"Installed {target}");
            return;
        }

        var root = Path.Combine(settings.BinDirectory, PluginDirectoryName);
        var version = DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture) + "-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var staging = Path.Combine(root, "." + version);
        Directory.CreateDirectory(staging);
        foreach (var file in Directory.EnumerateFiles(settings.SourceDirectory))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".pdb", StringComparison.Ordinal) || name.EndsWith(".xml", StringComparison.Ordinal))
            {
                continue;
            }

            File.Copy(file, Path.Combine(staging, name), overwrite: true);
        }

        File.SetUnixFileMode(Path.Combine(staging, PluginName), ExecutableMode);
        var final = Path.Combine(root, version);
        Directory.Move(staging, final);
        var launcher = $"#!/bin/sh\n# Written by tabby-cni install: runs the framework-dependent build in {PluginDirectoryName}/{version}.\n"
            + $"exec \"$(dirname \"$0\")/{PluginDirectoryName}/{version}/{PluginName}\" \"$@\"\n";
        WriteAtomically(target, Encoding.UTF8.GetBytes(launcher), ExecutableMode);

        // Older versions are unused now (a plugin still running from one keeps its open files).
        foreach (var old in Directory.EnumerateDirectories(root).Where(d => Path.GetFileName(d) != version))
        {
            try
            {
                Directory.Delete(old, recursive: true);
            }
            catch (IOException e)
            {
                log.WriteLine($"Could not remove the old plugin version {old}: {e.Message}");
            }
        }

        log.WriteLine($"Installed {target} -> {final}");
    }

    /// <summary>Rewrites the kubeconfig if the service account's token or CA changed; true when it did.</summary>
    public bool RefreshKubeconfig()
    {
        var path = Path.Combine(settings.NetDirectory, KubeconfigFile.FileName);
        var current = File.Exists(path) ? File.ReadAllText(path) : null;
        if (RenderKubeconfig() is not { } wanted || wanted == current)
        {
            return false;
        }

        WriteKubeconfig();
        return true;
    }

    private string? RenderKubeconfig()
    {
        var token = Path.Combine(settings.ServiceAccountDirectory, "token");
        var ca = Path.Combine(settings.ServiceAccountDirectory, "ca.crt");
        return !File.Exists(token) || settings.KubernetesServiceHost is null
            ? null
            : KubeconfigFile.Render(
                KubeconfigFile.ServerUrl(settings.KubernetesServiceHost, settings.KubernetesServicePort ?? "443"),
                File.Exists(ca) ? File.ReadAllBytes(ca) : [],
                File.ReadAllText(token));
    }

    /// <summary>Writes the kubeconfig when running in a pod with a service account; returns its path on the host, or "".</summary>
    private string WriteKubeconfig()
    {
        if (RenderKubeconfig() is not { } text)
        {
            log.WriteLine("No service account token or KUBERNETES_SERVICE_HOST: no kubeconfig written");
            return "";
        }

        WriteAtomically(Path.Combine(settings.NetDirectory, KubeconfigFile.FileName), Encoding.UTF8.GetBytes(text),
            UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var onHost = settings.NetDirectoryOnHost.TrimEnd('/') + "/" + KubeconfigFile.FileName;
        log.WriteLine($"Wrote the plugin's kubeconfig ({onHost} on the host)");
        return onHost;
    }

    private void WriteConflist(string kubeconfig)
    {
        var template = settings.NetworkConfigTemplate ?? BuiltInTemplate();
        var text = template
            .Replace("__KUBECONFIG_FILEPATH__", kubeconfig, StringComparison.Ordinal)
            .Replace("__KUBERNETES_NODE_NAME__", settings.NodeName ?? "", StringComparison.Ordinal)
            .Replace("__DATASTORE_TYPE__", settings.DatastoreType, StringComparison.Ordinal)
            .Replace("__ETCD_ENDPOINTS__", settings.EtcdEndpoints, StringComparison.Ordinal)
            .Replace("__ASSIGN_IPV4__", settings.AssignIPv4 ? "true" : "false", StringComparison.Ordinal)
            .Replace("__ASSIGN_IPV6__", settings.AssignIPv6 ? "true" : "false", StringComparison.Ordinal);
        ValidateConflist(text);
        var path = Path.Combine(settings.NetDirectory, settings.ConfName);
        WriteAtomically(path, Encoding.UTF8.GetBytes(text), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        log.WriteLine($"Wrote {path}");
    }

    /// <summary>A conflist the runtime will load: JSON with name, cniVersion and a non-empty plugins list with types.</summary>
    internal static void ValidateConflist(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("cniVersion", out var version) || version.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("plugins", out var plugins) || plugins.ValueKind != JsonValueKind.Array || plugins.GetArrayLength() == 0
                || plugins.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.Object || !p.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String))
            {
                throw new InvalidDataException("the conflist needs \"name\", \"cniVersion\" and a non-empty \"plugins\" list whose entries have a \"type\"");
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the conflist is not valid JSON after substitution: {e.Message}", e);
        }
    }

    internal static string BuiltInTemplate()
    {
        using var stream = typeof(CniInstaller).Assembly.GetManifestResourceStream("Tabby.Cni.conflist.template")
            ?? throw new InvalidOperationException("the built-in conflist template is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private const UnixFileMode ExecutableMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static void CopyAtomically(string source, string target, bool executable)
    {
        var temporary = TemporaryNameFor(target);
        File.Copy(source, temporary, overwrite: true);
        if (executable)
        {
            File.SetUnixFileMode(temporary, ExecutableMode);
        }

        File.Move(temporary, target, overwrite: true);
    }

    private static void WriteAtomically(string target, byte[] content, UnixFileMode mode)
    {
        var temporary = TemporaryNameFor(target);
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
        }))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(temporary, mode);
        File.Move(temporary, target, overwrite: true);
    }

    private static string TemporaryNameFor(string target) =>
        Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp");
}
