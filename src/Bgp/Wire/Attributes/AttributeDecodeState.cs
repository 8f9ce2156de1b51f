using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Wire.Attributes;

/// <summary>What one attribute decoder found wrong: the UPDATE error subcode and a description naming the field.</summary>
public readonly record struct AttributeProblem(UpdateMessageErrorSubcode Subcode, string Description);

/// <summary>Everything decoding one UPDATE's path attributes accumulates.</summary>
internal sealed class AttributeDecodeState(BgpSessionOptions options)
{
    public BgpSessionOptions Options { get; } = options;

    public PathAttributesBuilder Builder { get; } = new();

    public List<BgpError> Errors { get; } = [];

    /// <summary>AS4_PATH and AS4_AGGREGATOR wait here until every attribute is read (RFC 6793 section 4.2.3).</summary>
    public AsPath? As4Path { get; set; }

    public Aggregator? As4Aggregator { get; set; }

    public NlriSection? MpReach { get; set; }

    public NlriSection? MpUnreach { get; set; }

    public void Add(BgpError error) => Errors.Add(error);
}
