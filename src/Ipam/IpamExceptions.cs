namespace Tabby.Ipam;

/// <summary>Base of IPAM failures a caller can act on.</summary>
public class IpamException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>No address could be found: the pools named are full or the host may claim no more blocks.</summary>
public sealed class IpamExhaustedException(string message) : IpamException(message);

/// <summary>The request names something that does not exist or cannot be used (unknown pool, IP outside every pool).</summary>
public sealed class IpamRequestException(string message) : IpamException(message);

/// <summary>A pinned address is already held by someone else.</summary>
public sealed class AddressInUseException(string message) : IpamException(message);

/// <summary>Stored IPAM data is malformed (a block whose CIDR does not parse, a handle with a bad count).</summary>
public sealed class IpamDataException(string message) : IpamException(message);

/// <summary>Too many compare-and-swap conflicts in a row (Calico: "excessive concurrent IPAM requests").</summary>
public sealed class IpamContentionException(string message) : IpamException(message);
