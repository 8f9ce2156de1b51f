using Tabby.Datastore.Embedded;
using Tabby.Datastore.Store;

namespace Tabby.Datastore.Tests.Conformance;

/// <summary>The conformance suite on the embedded (directory) backend.</summary>
public sealed class EmbeddedConformanceTests : DatastoreConformanceTests, IDisposable
{
    private readonly EmbeddedFixture _fixture = new();

    protected override IDatastoreFixture Fixture => _fixture;

    public void Dispose() => _fixture.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private sealed class EmbeddedFixture : IDatastoreFixture
    {
        private readonly List<string> _directories = [];

        public Task<IDatastore> CreateStoreAsync()
        {
            var directory = Path.Combine(Path.GetTempPath(), "tabby-embedded-" + Guid.NewGuid().ToString("N"));
            _directories.Add(directory);
            return Task.FromResult<IDatastore>(new EmbeddedDatastore(directory, new EmbeddedDatastoreOptions { PollInterval = TimeSpan.FromMilliseconds(100) }));
        }

        public Task<IDatastore> CreateSecondClientAsync(IDatastore store) =>
            Task.FromResult<IDatastore>(new EmbeddedDatastore(((EmbeddedDatastore)store).DirectoryPath));

        public Task CompactAsync(IDatastore store) => ((EmbeddedDatastore)store).CompactNowAsync(retain: 1);

        public Task DisconnectWatchesAsync(IDatastore store) => Task.CompletedTask;

        public ValueTask DisposeAsync()
        {
            foreach (var directory in _directories)
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (IOException)
                {
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
