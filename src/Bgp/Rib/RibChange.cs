namespace Tabby.Bgp.Rib;

/// <summary>What a RIB update did.</summary>
[Flags]
public enum RibChange : byte
{
    None = 0,

    /// <summary>A path of the same source and path id was there before.</summary>
    Existed = 1,

    /// <summary>That earlier path had passed import policy.</summary>
    WasEligible = 2,

    /// <summary>The best path or the ECMP set of the prefix changed.</summary>
    BestChanged = 4,
}
