using System.Text;

namespace Tabby.Cni.Install;

/// <summary>
/// The kubeconfig the plugin uses on the host: the API server as the pod sees it (the service's
/// KUBERNETES_SERVICE_HOST/PORT), the service account's CA inline and its token. Written only
/// readable by root: it carries a credential.
/// </summary>
public static class KubeconfigFile
{
    public const string FileName = "tabby-kubeconfig";

    public static string Render(string server, byte[] caCertificate, string token)
    {
        var text = new StringBuilder();
        text.Append("# Written by tabby-cni install: the CNI plugin's access to the Kubernetes API.\n");
        text.Append("apiVersion: v1\nkind: Config\n");
        text.Append("clusters:\n- name: local\n  cluster:\n");
        text.Append("    server: ").Append(server).Append('\n');
        text.Append("    certificate-authority-data: \"").Append(Convert.ToBase64String(caCertificate)).Append("\"\n");
        text.Append("users:\n- name: tabby-cni\n  user:\n");
        text.Append("    token: \"").Append(token.Trim()).Append("\"\n");
        text.Append("contexts:\n- name: tabby-cni-context\n  context:\n    cluster: local\n    user: tabby-cni\n");
        text.Append("current-context: tabby-cni-context\n");
        return text.ToString();
    }

    /// <summary>https://HOST:PORT with IPv6 hosts bracketed.</summary>
    public static string ServerUrl(string host, string port) =>
        host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"https://[{host}]:{port}" : $"https://{host}:{port}";
}
