namespace Tabby.Bgp.Wire.Errors;

/// <summary>
/// What a receiver does about an error, ordered by severity so the worst of several wins
/// (RFC 7606 section 2; "AFI/SAFI disable" is RFC 4760 section 7).
/// </summary>
public enum ErrorHandling : byte
{
    /// <summary>Not an error of the received message (e.g. a NOTIFICATION built locally).</summary>
    None = 0,

    /// <summary>Drop the one attribute and process the UPDATE without it (RFC 7606 section 2).</summary>
    AttributeDiscard = 1,

    /// <summary>Treat every prefix the UPDATE announces as withdrawn (RFC 7606 section 2).</summary>
    TreatAsWithdraw = 2,

    /// <summary>Stop using the address family for the rest of the session (RFC 4760 section 7).</summary>
    AfiSafiDisable = 3,

    /// <summary>Send the NOTIFICATION and close the session (RFC 4271 section 6, RFC 7606 section 2).</summary>
    SessionReset = 4,
}
