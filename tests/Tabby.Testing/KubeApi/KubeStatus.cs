using System.Text.Json.Nodes;

namespace Tabby.Testing.KubeApi;

/// <summary>A metav1.Status failure as the API server returns it (reason, code, details).</summary>
public sealed class KubeStatusException(int code, string reason, string message, KubeApiResource? resource = null, string? name = null)
    : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
            ["code"] = Code,
        };
        if (resource is not null)
        {
            status["details"] = new JsonObject { ["name"] = name, ["group"] = resource.Group, ["kind"] = resource.Plural };
        }

        return status;
    }

    public static KubeStatusException NotFound(KubeApiResource r, string name) =>
        new(404, "NotFound", $"{Qualified(r)} \"{name}\" not found", r, name);

    public static KubeStatusException AlreadyExists(KubeApiResource r, string name) =>
        new(409, "AlreadyExists", $"{Qualified(r)} \"{name}\" already exists", r, name);

    public static KubeStatusException Conflict(KubeApiResource r, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(r)} \"{name}\": {why}", r, name);

    public static KubeStatusException Invalid(KubeApiResource r, string name, string why) =>
        new(422, "Invalid", $"{r.Kind} \"{name}\" is invalid: {why}", r, name);

    public static KubeStatusException Gone(string why) => new(410, "Expired", why);

    public static KubeStatusException BadRequest(string why) => new(400, "BadRequest", why);

    private static string Qualified(KubeApiResource r) => r.Group.Length == 0 ? r.Plural : r.Plural + "." + r.Group;
}
