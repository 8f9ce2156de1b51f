namespace Tabby.Bgp.Wire.Errors;

/// <summary>
/// Thrown by the decoder when received input requires the session to be reset; the only exception
/// type the decoder throws for bad input. Errors with a milder RFC 7606 handling are reported on
/// the decoded message instead (<see cref="Messages.UpdateMessage.Errors"/>).
/// </summary>
public sealed class BgpProtocolException : Exception
{
    public BgpProtocolException(BgpError error)
        : base(error?.ToString())
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    public BgpError Error { get; }
}
