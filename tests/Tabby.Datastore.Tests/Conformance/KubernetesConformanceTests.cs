using Tabby.Datastore.Kubernetes;
using Tabby.Datastore.Store;
using Tabby.Testing.KubeApi;

namespace Tabby.Datastore.Tests.Conformance;

/// <summary>
/// The conformance suite on the Kubernetes backend, against the in-repo API-server emulator (no
/// kube-apiserver can be installed here). Small list pages make every large list use continue tokens.
/// </summary>
public sealed class KubernetesConformanceTests : DatastoreConformanceTests
{
    private readonly KubernetesFixture _fixture = new();

    protected override IDatastoreFixture Fixture => _fixture;

    internal static KubernetesClientOptions TestOptions => new()
    {
        QueriesPerSecond = 2000,
        Burst = 2000,
        ListPageSize = 40,
        InitialBackoff = TimeSpan.FromMilliseconds(20),
    };

    private sealed class KubernetesFixture : IDatastoreFixture
    {
        private readonly Dictionary<IDatastore, KubeApiServer> _servers = [];

        public async Task<IDatastore> CreateStoreAsync()
        {
            var server = await KubeApiServer.StartAsync();
            var store = new KubernetesDatastore(new KubernetesConnection { Server = server.Url, Source = "emulator" }, TestOptions);
            _servers[store] = server;
            return store;
        }

        public Task<IDatastore> CreateSecondClientAsync(IDatastore store)
        {
            var other = new KubernetesDatastore(((KubernetesDatastore)store).Connection, TestOptions);
            _servers[other] = _servers[store];
            return Task.FromResult<IDatastore>(other);
        }

        public Task CompactAsync(IDatastore store)
        {
            _servers[store].Compact();
            return Task.CompletedTask;
        }

        public Task DisconnectWatchesAsync(IDatastore store)
        {
            _servers[store].DropWatchConnections();
            return Task.CompletedTask;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var server in _servers.Values.Distinct())
            {
                await server.DisposeAsync();
            }
        }
    }
}
