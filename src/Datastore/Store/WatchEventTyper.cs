using Tabby.Datastore.Resources;

namespace Tabby.Datastore.Store;

/// <summary>
/// Kubernetes semantics for filtered watches: an update that makes an object start matching is
/// Added, one that makes it stop matching is Deleted, one that never matched is not delivered.
/// </summary>
internal static class WatchEventTyper
{
    /// <summary>The event type to deliver, or null to skip the change.</summary>
    public static WatchEventType? Classify(ObjectFilter filter, WatchEventType raw, Resource current, ReadOnlySpan<byte> currentJson,
        Resource? previous, ReadOnlySpan<byte> previousJson)
    {
        var now = filter.Matches(current, currentJson);
        if (raw != WatchEventType.Modified)
        {
            return now ? raw : null;
        }

        var before = previous is not null && filter.Matches(previous, previousJson);
        return (before, now) switch
        {
            (true, true) => WatchEventType.Modified,
            (false, true) => previous is null ? WatchEventType.Modified : WatchEventType.Added,
            (true, false) => WatchEventType.Deleted,
            _ => null,
        };
    }
}
