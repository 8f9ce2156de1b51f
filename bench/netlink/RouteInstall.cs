#:project ../../src/Felix/Tabby.Felix.csproj
#:property Nullable=enable
#:property PublishAot=false

// Installs and deletes N blackhole /32 routes (proto 80) with Tabby's batched netlink client in the
// current network namespace (run it under `ip netns exec`), and prints one JSON line per phase with
// wall time, routes/s, CPU (user+system of this process: rtnetlink work runs in the sender's
// context, so kernel time is included) and peak RSS. Usage:
//   RouteInstall.cs COUNT [BUFFER_BYTES]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Routes;
using Tabby.Felix.Netlink.Wire;

var count = int.Parse(args[0], CultureInfo.InvariantCulture);
var buffer = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : NetlinkBatch.DefaultBufferBytes;

var routes = new Route[count];
for (var i = 0; i < count; i++)
{
    // 10.0.0.0/8 holds 16M /32s: route i is 10.(i>>16).(i>>8).i.
    var address = new IPAddress(new byte[] { 10, (byte)(i >> 16), (byte)(i >> 8), (byte)i });
    routes[i] = new Route(new IPNetwork(address, 32)) { Type = RouteType.Blackhole, Protocol = RouteProtocol.Felix };
}

using var client = NetlinkClient.Open();

// Warm-up outside the measurement (JIT tiers up the encode and batch paths, as in a running agent).
var warmup = Enumerable.Range(0, 20_000)
    .Select(i => new Route(new IPNetwork(new IPAddress(new byte[] { 11, 0, (byte)(i >> 8), (byte)i }), 32)) { Type = RouteType.Blackhole, Protocol = RouteProtocol.Felix })
    .ToArray();
for (var round = 0; round < 3; round++)
{
    client.AddRoutes(warmup, replace: false, bufferBytes: buffer);
    client.DeleteRoutes(warmup, bufferBytes: buffer);
    // Tier-1 code is compiled on a background thread after a quiet period; let it finish here
    // rather than inside the measurement (process CPU time counts every thread).
    Thread.Sleep(300);
}

Measure("install", () => client.AddRoutes(routes, replace: false, bufferBytes: buffer));
var installed = client.ListRoutes(Family.Inet, protocol: RouteProtocol.Felix).Count;
if (installed != count)
{
    Console.Error.WriteLine($"expected {count} routes in the kernel, found {installed}");
    return 1;
}

Measure("delete", () => client.DeleteRoutes(routes, bufferBytes: buffer));
return 0;

void Measure(string phase, Func<IReadOnlyList<BatchItemError>> action)
{
    GC.Collect();
    var process = Process.GetCurrentProcess();
    var cpuBefore = process.TotalProcessorTime;
    var stopwatch = Stopwatch.StartNew();
    var errors = action();
    stopwatch.Stop();
    process.Refresh();
    var cpu = process.TotalProcessorTime - cpuBefore;
    if (errors.Count > 0)
    {
        Console.Error.WriteLine($"{phase}: {errors.Count} errors, first: {errors[0].Error.Message}");
        Environment.Exit(1);
    }

    var seconds = stopwatch.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{{\"tool\":\"tabby\",\"phase\":\"{phase}\",\"routes\":{count},\"buffer\":{buffer},\"seconds\":{seconds:F3},\"routes_per_s\":{count / seconds:F0},\"cpu_s\":{cpu.TotalSeconds:F3},\"peak_rss_kb\":{PeakRssKb()}}}"));
}

static long PeakRssKb() =>
    File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
        .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).First();
