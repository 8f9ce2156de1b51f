namespace Tabby.Cni.Spec;

/// <summary>
/// Error codes of the CNI specification ("Error" section of SPEC.md, 1.0.0/1.1.0). 0-99 are reserved
/// by the specification; Tabby's own codes start at 100 as the specification asks.
/// </summary>
public enum CniErrorCode
{
    /// <summary>The configuration's cniVersion is not one this plugin supports.</summary>
    IncompatibleVersion = 1,

    /// <summary>A field of the network configuration is not supported (the message names it).</summary>
    UnsupportedField = 2,

    /// <summary>The container (or its network namespace) is unknown or does not exist.</summary>
    ContainerUnknown = 3,

    /// <summary>A required CNI_* environment variable is missing or invalid (the message names it).</summary>
    InvalidEnvironment = 4,

    /// <summary>Reading stdin or writing a file failed.</summary>
    IoFailure = 5,

    /// <summary>The configuration on stdin is not valid JSON, or a value cannot be decoded.</summary>
    DecodingFailure = 6,

    /// <summary>The network configuration is valid JSON but its content is wrong.</summary>
    InvalidNetworkConfig = 7,

    /// <summary>Transient: the runtime should retry later (datastore unavailable, excessive IPAM contention).</summary>
    TryAgainLater = 11,

    /// <summary>STATUS (1.1.0): the plugin cannot serve ADD now.</summary>
    PluginNotAvailable = 50,

    /// <summary>STATUS (1.1.0): the plugin can serve ADD but existing pods may have limited connectivity.</summary>
    LimitedConnectivity = 51,

    /// <summary>Tabby: the datastore refused or failed a request.</summary>
    DatastoreFailure = 100,

    /// <summary>Tabby: no address could be allocated (pools full, per-host block limit, unusable pool).</summary>
    AddressesExhausted = 101,

    /// <summary>Tabby: a requested address is in no pool or already used.</summary>
    AddressUnavailable = 102,

    /// <summary>Tabby: the kernel refused a change (netlink or sysctl).</summary>
    DataplaneFailure = 103,

    /// <summary>Tabby: CHECK found the container's networking different from what ADD set up.</summary>
    CheckFailed = 104,

    /// <summary>Tabby: anything else (a bug); the message carries the exception.</summary>
    UnexpectedFailure = 199,
}
