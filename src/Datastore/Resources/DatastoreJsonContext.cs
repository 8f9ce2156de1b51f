using System.Text.Json;
using System.Text.Json.Serialization;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Resources.Kubernetes;

namespace Tabby.Datastore.Resources;

/// <summary>
/// Source-generated JSON contracts for every resource. Field names are explicit
/// (<see cref="JsonPropertyNameAttribute"/>) so they match Calico's and Kubernetes' exactly.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(Rfc3339TimeConverter)])]
[JsonSerializable(typeof(IPPool))]
[JsonSerializable(typeof(IPAMBlock))]
[JsonSerializable(typeof(BlockAffinity))]
[JsonSerializable(typeof(IPAMHandle))]
[JsonSerializable(typeof(IPAMConfig))]
[JsonSerializable(typeof(BGPConfiguration))]
[JsonSerializable(typeof(BGPPeer))]
[JsonSerializable(typeof(BGPFilter))]
[JsonSerializable(typeof(CalicoNode))]
[JsonSerializable(typeof(CalicoNodeStatus))]
[JsonSerializable(typeof(CalicoNetworkPolicy))]
[JsonSerializable(typeof(GlobalNetworkPolicy))]
[JsonSerializable(typeof(Tier))]
[JsonSerializable(typeof(KubeNode))]
[JsonSerializable(typeof(Pod))]
[JsonSerializable(typeof(KubeNamespace))]
[JsonSerializable(typeof(Service))]
[JsonSerializable(typeof(Secret))]
[JsonSerializable(typeof(KubeNetworkPolicy))]
[JsonSerializable(typeof(ObjectMeta))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
public sealed partial class DatastoreJsonContext : JsonSerializerContext
{
}
