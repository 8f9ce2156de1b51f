namespace Tabby.Cni.Install;

/// <summary>
/// What `tabby-cni install` writes where, from the environment the DaemonSet gives its init
/// container (the same variable names as Calico's install-cni), overridable with --flags.
/// </summary>
public sealed record InstallSettings
{
    /// <summary>The host's plugin directory as mounted in the container (CNI_BIN_DIR).</summary>
    public string BinDirectory { get; init; } = "/host/opt/cni/bin";

    /// <summary>The host's configuration directory as mounted in the container (CNI_NET_DIR).</summary>
    public string NetDirectory { get; init; } = "/host/etc/cni/net.d";

    /// <summary>The same directory as the plugin on the host sees it, for paths written into the conflist.</summary>
    public string NetDirectoryOnHost { get; init; } = "/etc/cni/net.d";

    /// <summary>CNI_CONF_NAME: the conflist's file name (lowest name sorts first: the runtime's default network).</summary>
    public string ConfName { get; init; } = "10-tabby.conflist";

    /// <summary>CNI_NETWORK_CONFIG: a conflist template (text); null uses CNI_NETWORK_CONFIG_FILE or the built-in one.</summary>
    public string? NetworkConfigTemplate { get; init; }

    /// <summary>Where the plugin's files are (default: next to this executable).</summary>
    public string SourceDirectory { get; init; } = AppContext.BaseDirectory;

    /// <summary>The service account directory whose token and CA go into the plugin's kubeconfig.</summary>
    public string ServiceAccountDirectory { get; init; } = Datastore.Kubernetes.KubeConfigLoader.ServiceAccountDirectory;

    public string? KubernetesServiceHost { get; init; }

    public string? KubernetesServicePort { get; init; }

    public string? NodeName { get; init; }

    public string DatastoreType { get; init; } = "kubernetes";

    public string EtcdEndpoints { get; init; } = "";

    public bool AssignIPv4 { get; init; } = true;

    public bool AssignIPv6 { get; init; }

    public bool SkipBinaries { get; init; }

    /// <summary>
    /// Keep running after the install and rewrite the kubeconfig whenever the service account token
    /// changes (bound tokens are rotated; the plugin on the host must not keep an expired one).
    /// Null: install once and exit.
    /// </summary>
    public TimeSpan? WatchInterval { get; init; }

    public static InstallSettings From(IReadOnlyList<string> args, Func<string, string?> env)
    {
        string? Env(string name) => env(name) is { Length: > 0 } value ? value : null;
        var template = Env("CNI_NETWORK_CONFIG");
        if (template is null && Env("CNI_NETWORK_CONFIG_FILE") is { } templateFile)
        {
            template = File.ReadAllText(templateFile);
        }

        var settings = new InstallSettings
        {
            BinDirectory = Env("CNI_BIN_DIR") ?? "/host/opt/cni/bin",
            NetDirectory = Env("CNI_NET_DIR") ?? "/host/etc/cni/net.d",
            NetDirectoryOnHost = Env("CNI_NET_DIR_ON_HOST") ?? "/etc/cni/net.d",
            ConfName = Env("CNI_CONF_NAME") ?? "10-tabby.conflist",
            NetworkConfigTemplate = template,
            SourceDirectory = Env("TABBY_CNI_SOURCE_DIR") ?? AppContext.BaseDirectory,
            ServiceAccountDirectory = Env("SERVICEACCOUNT_DIR") ?? Datastore.Kubernetes.KubeConfigLoader.ServiceAccountDirectory,
            KubernetesServiceHost = Env("KUBERNETES_SERVICE_HOST"),
            KubernetesServicePort = Env("KUBERNETES_SERVICE_PORT"),
            NodeName = Env("KUBERNETES_NODE_NAME") ?? Env("NODENAME"),
            DatastoreType = Env("DATASTORE_TYPE") ?? "kubernetes",
            EtcdEndpoints = Env("ETCD_ENDPOINTS") ?? "",
            AssignIPv4 = !string.Equals(Env("TABBY_CNI_ASSIGN_IPV4"), "false", StringComparison.OrdinalIgnoreCase),
            AssignIPv6 = string.Equals(Env("TABBY_CNI_ASSIGN_IPV6"), "true", StringComparison.OrdinalIgnoreCase),
            SkipBinaries = string.Equals(Env("SKIP_CNI_BINARIES"), "true", StringComparison.OrdinalIgnoreCase),
            WatchInterval = Env("TABBY_CNI_WATCH_INTERVAL") is { } watch ? ParseInterval(watch, "TABBY_CNI_WATCH_INTERVAL") : null,
        };

        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            settings = args[i] switch
            {
                "--bin-dir" => settings with { BinDirectory = Value() },
                "--net-dir" => settings with { NetDirectory = Value() },
                "--net-dir-on-host" => settings with { NetDirectoryOnHost = Value() },
                "--conf-name" => settings with { ConfName = Value() },
                "--source-dir" => settings with { SourceDirectory = Value() },
                "--node-name" => settings with { NodeName = Value() },
                "--skip-binaries" => settings with { SkipBinaries = true },
                "--watch" => settings with { WatchInterval = ParseInterval(Value(), "--watch") },
                _ => throw new ArgumentException($"unknown option {args[i]} (--bin-dir, --net-dir, --net-dir-on-host, --conf-name, --source-dir, --node-name, --skip-binaries, --watch SECONDS)"),
            };
        }

        if (settings.ConfName.Contains('/', StringComparison.Ordinal) || !settings.ConfName.EndsWith(".conflist", StringComparison.Ordinal))
        {
            throw new ArgumentException($"CNI_CONF_NAME \"{settings.ConfName}\" must be a file name ending in .conflist");
        }

        return settings;
    }

    private static TimeSpan ParseInterval(string text, string name) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0.01 && seconds <= 86400
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{name} \"{text}\" must be a number of seconds between 0.01 and 86400");
}
