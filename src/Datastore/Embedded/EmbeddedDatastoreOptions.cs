namespace Tabby.Datastore.Embedded;

public sealed record EmbeddedDatastoreOptions
{
    /// <summary>Compact the change log when it holds more entries than this.</summary>
    public int MaxLogEntries { get; init; } = 10_000;

    /// <summary>Compact the change log when it grows beyond this many bytes.</summary>
    public long MaxLogBytes { get; init; } = 64L << 20;

    /// <summary>Entries kept by a compaction; watches older than them must re-list.</summary>
    public int RetainedLogEntries { get; init; } = 5_000;

    /// <summary>How long a writer waits for the cross-process lock before failing.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Watch polling interval (a backstop for inotify, which may be unavailable).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often an idle watch with bookmarks enabled reports the latest revision.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);
}
