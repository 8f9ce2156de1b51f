namespace Tabby.Felix.Policy.Model;

/// <summary>A container port with a name, as named ports in rules resolve against it.</summary>
public sealed record NamedPort(string Name, Protocol Protocol, ushort Port);
