namespace Tabby.Bgp.Speaker;

/// <summary>Next hop on routes sent to a peer (Calico BGPPeer nextHopMode).</summary>
public enum NextHopMode
{
    /// <summary>Self towards eBGP peers and for our own routes; unchanged towards iBGP peers.</summary>
    Auto,

    /// <summary>Always our own address (next-hop-self).</summary>
    Self,

    /// <summary>Keep the received next hop, also towards eBGP peers (our own routes still get ours).</summary>
    Keep,
}

/// <summary>What to do when a peer sends more prefixes than allowed (RFC 4486 section 4).</summary>
public enum MaxPrefixAction
{
    /// <summary>Log a warning and keep the session.</summary>
    Warn,

    /// <summary>Send Cease / Maximum Number of Prefixes Reached and stay idle for the restart time.</summary>
    Teardown,
}
