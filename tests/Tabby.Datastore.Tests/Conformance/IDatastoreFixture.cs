using Tabby.Datastore.Store;

namespace Tabby.Datastore.Tests.Conformance;

/// <summary>What the conformance suite needs from a backend under test.</summary>
public interface IDatastoreFixture : IAsyncDisposable
{
    /// <summary>A store with no objects, independent of every other store this fixture made.</summary>
    Task<IDatastore> CreateStoreAsync();

    /// <summary>Another client of the same store (another agent, another process's view).</summary>
    Task<IDatastore> CreateSecondClientAsync(IDatastore store);

    /// <summary>Drops history up to the store's current revision, so older watch revisions are too old.</summary>
    Task CompactAsync(IDatastore store);

    /// <summary>Breaks open watch connections (network loss); backends without connections do nothing.</summary>
    Task DisconnectWatchesAsync(IDatastore store);
}
