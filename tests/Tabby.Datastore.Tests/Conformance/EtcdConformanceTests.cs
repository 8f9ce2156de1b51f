using Tabby.Datastore.Etcd;
using Tabby.Datastore.Store;
using Tabby.Testing.Daemons;
using Xunit;

namespace Tabby.Datastore.Tests.Conformance;

/// <summary>A real etcd 3.4 server for one test class.</summary>
public sealed class EtcdServerFixture : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await EtcdServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The conformance suite on the etcd backend against a real etcd server.</summary>
public sealed class EtcdConformanceTests(EtcdServerFixture server) : DatastoreConformanceTests, IClassFixture<EtcdServerFixture>
{
    private readonly EtcdFixture _fixture = new(server);

    protected override IDatastoreFixture Fixture => _fixture;

    private sealed class EtcdFixture(EtcdServerFixture server) : IDatastoreFixture
    {
        public Task<IDatastore> CreateStoreAsync() =>
            Task.FromResult<IDatastore>(new EtcdDatastore(Options("/test-" + Guid.NewGuid().ToString("N"))));

        public Task<IDatastore> CreateSecondClientAsync(IDatastore store) =>
            Task.FromResult<IDatastore>(new EtcdDatastore(Options(((EtcdDatastore)store).KeyPrefix)));

        public Task CompactAsync(IDatastore store) => ((EtcdDatastore)store).CompactAsync();

        public Task DisconnectWatchesAsync(IDatastore store)
        {
            ((EtcdDatastore)store).DisconnectWatches();
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private EtcdOptions Options(string prefix) => new()
        {
            Endpoints = [server.Server.ClientUrl],
            KeyPrefix = prefix,
            ReconnectDelay = TimeSpan.FromMilliseconds(20),
        };
    }
}
