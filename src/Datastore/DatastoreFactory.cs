using Microsoft.Extensions.Logging;
using Tabby.Datastore.Embedded;
using Tabby.Datastore.Etcd;
using Tabby.Datastore.Kubernetes;
using Tabby.Datastore.Store;

namespace Tabby.Datastore;

/// <summary>Opens the datastore <see cref="DatastoreSettings"/> select.</summary>
public static class DatastoreFactory
{
    public static IDatastore Create(DatastoreSettings settings, ILoggerFactory? loggers = null)
    {
        switch (settings.EffectiveType)
        {
            case DatastoreType.Etcd:
                if (settings.EtcdEndpoints.Count == 0)
                {
                    throw new ArgumentException("the etcd datastore needs endpoints (--etcd-endpoints or ETCD_ENDPOINTS)");
                }

                return new EtcdDatastore(new EtcdOptions
                {
                    Endpoints = settings.EtcdEndpoints,
                    Username = settings.EtcdUsername,
                    Password = settings.EtcdPassword,
                    Tls = settings.EtcdTls(),
                    KeyPrefix = settings.EtcdKeyPrefix ?? "",
                }, loggers?.CreateLogger<EtcdDatastore>());
            case DatastoreType.Kubernetes:
                var connection = settings.KubeconfigPaths.Count > 0
                    ? KubeConfigLoader.Load(settings.KubeconfigPaths, settings.KubeContext)
                    : settings.InCluster ? KubeConfigLoader.InCluster()
                    : throw new ArgumentException("the Kubernetes datastore needs a kubeconfig (--kubeconfig or KUBECONFIG) or to run in a pod");
                return new KubernetesDatastore(connection, null, loggers?.CreateLogger<KubernetesDatastore>());
            default:
                return new EmbeddedDatastore(settings.EmbeddedDirectory, null, loggers?.CreateLogger<EmbeddedDatastore>());
        }
    }
}
