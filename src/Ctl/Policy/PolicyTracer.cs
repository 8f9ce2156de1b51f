using System.Globalization;
using System.Net;
using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Evaluation;
using Tabby.Felix.Policy.Model;

namespace Tabby.Ctl.Policy;

/// <summary>What <c>tabbyctl policy trace</c> was asked.</summary>
internal sealed record TraceRequest(string From, string To, string Protocol, int? Port, int SourcePort, int IcmpType, int IcmpCode);

/// <summary>The answer: the flow as resolved and the evaluator's verdict with its steps.</summary>
internal sealed record TraceResult(string From, string To, Flow Flow, Verdict Verdict);

/// <summary>
/// Resolves the two ends (a pod as <c>namespace/name</c>, a bare pod name when unique, or an IP
/// address) and runs the same <see cref="PolicyEvaluator"/> the dataplane's rules are rendered from.
/// </summary>
internal static class PolicyTracer
{
    public static TraceResult Trace(PolicyCalculator calculator, TraceRequest request)
    {
        var protocol = Protocol.Parse(request.Protocol, "--protocol");
        if (protocol.HasPorts && request.Port is null)
        {
            throw new ArgumentException($"--port is required for {protocol}");
        }

        if (request.Port is < 0 or > 65535 || request.SourcePort is < 0 or > 65535)
        {
            throw new ArgumentException("ports must be 0-65535");
        }

        var (fromName, fromAddress) = Resolve(calculator, request.From, "--from");
        var (toName, toAddress) = Resolve(calculator, request.To, "--to");
        if (fromAddress.AddressFamily != toAddress.AddressFamily)
        {
            throw new ArgumentException($"--from {fromAddress} and --to {toAddress} are of different IP families");
        }

        var flow = new Flow(fromAddress, toAddress, protocol, request.SourcePort, request.Port ?? 0, request.IcmpType, request.IcmpCode);
        return new TraceResult(fromName, toName, flow, new PolicyEvaluator(calculator).Evaluate(flow));
    }

    private static (string Name, IPAddress Address) Resolve(PolicyCalculator calculator, string text, string option)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            var owner = calculator.EndpointByAddress(address);
            return (owner is null ? text : $"{owner.Key} ({text})", address);
        }

        Endpoint? endpoint;
        if (text.Contains('/', StringComparison.Ordinal))
        {
            endpoint = calculator.Endpoints.GetValueOrDefault(text);
        }
        else
        {
            var matches = calculator.Endpoints.Values.Where(e => e.Name == text).ToList();
            if (matches.Count > 1)
            {
                throw new ArgumentException($"{option} {text}: pod name is ambiguous, use namespace/name ({string.Join(", ", matches.Select(m => m.Key))})");
            }

            endpoint = matches.SingleOrDefault();
        }

        if (endpoint is null)
        {
            throw new ArgumentException($"{option} {text}: no such pod with an address (give namespace/name or an IP address)");
        }

        return (string.Create(CultureInfo.InvariantCulture, $"{endpoint.Key} ({endpoint.Addresses[0]})"), endpoint.Addresses[0]);
    }
}
