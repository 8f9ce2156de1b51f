namespace Tabby.Bgp.Wire.Errors;

/// <summary>NOTIFICATION error codes (RFC 4271 section 4.5, RFC 6608, RFC 7313; IANA "BGP Error Codes").</summary>
public enum BgpErrorCode : byte
{
    MessageHeaderError = 1,
    OpenMessageError = 2,
    UpdateMessageError = 3,
    HoldTimerExpired = 4,
    FiniteStateMachineError = 5,
    Cease = 6,
    RouteRefreshMessageError = 7,
}

/// <summary>Message Header Error subcodes (RFC 4271 section 4.5).</summary>
public enum MessageHeaderErrorSubcode : byte
{
    Unspecific = 0,
    ConnectionNotSynchronized = 1,
    BadMessageLength = 2,
    BadMessageType = 3,
}

/// <summary>OPEN Message Error subcodes (RFC 4271 section 4.5, RFC 5492, RFC 9234).</summary>
public enum OpenMessageErrorSubcode : byte
{
    Unspecific = 0,
    UnsupportedVersionNumber = 1,
    BadPeerAs = 2,
    BadBgpIdentifier = 3,
    UnsupportedOptionalParameter = 4,
    /// <summary>Deprecated (RFC 4271 Appendix A).</summary>
    AuthenticationFailure = 5,
    UnacceptableHoldTime = 6,
    UnsupportedCapability = 7,
    RoleMismatch = 11,
}

/// <summary>UPDATE Message Error subcodes (RFC 4271 section 4.5).</summary>
public enum UpdateMessageErrorSubcode : byte
{
    Unspecific = 0,
    MalformedAttributeList = 1,
    UnrecognizedWellKnownAttribute = 2,
    MissingWellKnownAttribute = 3,
    AttributeFlagsError = 4,
    AttributeLengthError = 5,
    InvalidOriginAttribute = 6,
    /// <summary>Deprecated (RFC 4271 Appendix A).</summary>
    AsRoutingLoop = 7,
    InvalidNextHopAttribute = 8,
    OptionalAttributeError = 9,
    InvalidNetworkField = 10,
    MalformedAsPath = 11,
}

/// <summary>Finite State Machine Error subcodes (RFC 6608 section 3).</summary>
public enum FsmErrorSubcode : byte
{
    UnspecifiedError = 0,
    UnexpectedMessageInOpenSent = 1,
    UnexpectedMessageInOpenConfirm = 2,
    UnexpectedMessageInEstablished = 3,
}

/// <summary>Cease subcodes (RFC 4486 section 4, RFC 8538, RFC 9384).</summary>
public enum CeaseSubcode : byte
{
    Unspecific = 0,
    MaximumNumberOfPrefixesReached = 1,
    AdministrativeShutdown = 2,
    PeerDeconfigured = 3,
    AdministrativeReset = 4,
    ConnectionRejected = 5,
    OtherConfigurationChange = 6,
    ConnectionCollisionResolution = 7,
    OutOfResources = 8,
    HardReset = 9,
    BfdDown = 10,
}

/// <summary>ROUTE-REFRESH Message Error subcodes (RFC 7313 section 5).</summary>
public enum RouteRefreshErrorSubcode : byte
{
    Reserved = 0,
    InvalidMessageLength = 1,
}
