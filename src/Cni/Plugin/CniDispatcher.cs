using System.Net.Http;
using Microsoft.Extensions.Logging;
using Tabby.Cni.Config;
using Tabby.Cni.Spec;
using Tabby.Common.Logging;
using Tabby.Datastore.Store;
using Tabby.Felix.Netlink;
using Tabby.Ipam;

namespace Tabby.Cni.Plugin;

/// <summary>
/// One plugin invocation as SPEC.md describes it: parameters from CNI_* variables, the
/// configuration from stdin, the result (ADD, VERSION) or the error object on stdout, exit status 0
/// on success and 1 on error. Nothing else ever reaches stdout; logs go to stderr.
/// </summary>
public static class CniDispatcher
{
    /// <summary>A runtime kills plugins that hang; we give up on our own well before (kubelet's default is 4 min).</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(110);

    public static async Task<int> RunAsync(Func<string, string?> getEnvironment, Stream stdin, TextWriter stdout, CancellationToken cancellationToken)
    {
        byte[] input;
        try
        {
            using var buffer = new MemoryStream();
            await stdin.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            input = buffer.ToArray();
        }
        catch (IOException e)
        {
            return Fail(stdout, new CniException(CniErrorCode.IoFailure, "cannot read the network configuration from stdin", e.Message), CniVersion.V100);
        }

        var version = NetworkConfigParser.PeekVersion(input) is { } v && CniVersion.IsSupported(v) ? v : CniVersion.V100;
        var level = TabbyLogging.TryParseLevel(getEnvironment("TABBY_CNI_LOG_LEVEL"), out var l) ? l : LogLevel.Warning;
        ILoggerFactory? loggers = null;
        try
        {
            var environment = CniEnvironment.Read(getEnvironment);
            if (environment.Command == CniCommand.Version)
            {
                // VERSION answers whatever version was asked, so the runtime learns what we support.
                await stdout.WriteAsync(CniResultJson.WriteVersion(NetworkConfigParser.PeekVersion(input) ?? CniVersion.V110)).ConfigureAwait(false);
                return 0;
            }

            var config = NetworkConfigParser.Parse(input);
            if (environment.Command == CniCommand.Check && !CniVersion.SupportsCheck(config.CniVersion))
            {
                throw new CniException(CniErrorCode.IncompatibleVersion, $"CHECK needs cniVersion 0.4.0 or later (got {config.CniVersion})");
            }

            if (environment.Command is CniCommand.Status or CniCommand.Gc && !CniVersion.SupportsStatusAndGc(config.CniVersion))
            {
                throw new CniException(CniErrorCode.IncompatibleVersion,
                    $"{environment.Command.ToString().ToUpperInvariant()} needs cniVersion 1.1.0 or later (got {config.CniVersion})");
            }

            if (config.LogLevel is not null && getEnvironment("TABBY_CNI_LOG_LEVEL") is null && TabbyLogging.TryParseLevel(config.LogLevel, out var configured))
            {
                level = configured;
            }

            loggers = TabbyLogging.CreateLoggerFactory(level, "cni");
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Deadline);
            await using var context = PluginContext.Create(environment, config, getEnvironment, loggers);
            switch (environment.Command)
            {
                case CniCommand.Add:
                    var result = await AddCommand.RunAsync(context, deadline.Token).ConfigureAwait(false);
                    await stdout.WriteAsync(CniResultJson.Write(result, config.CniVersion)).ConfigureAwait(false);
                    break;
                case CniCommand.Del:
                    await DelCommand.RunAsync(context, deadline.Token).ConfigureAwait(false);
                    break;
                case CniCommand.Check:
                    await CheckCommand.RunAsync(context, deadline.Token).ConfigureAwait(false);
                    break;
                case CniCommand.Status:
                    await StatusCommand.RunAsync(context, deadline.Token).ConfigureAwait(false);
                    break;
                case CniCommand.Gc:
                    await GcCommand.RunAsync(context, deadline.Token).ConfigureAwait(false);
                    break;
            }

            return 0;
        }
        catch (Exception e)
        {
            var error = Classify(e);
            // Expected failures (CniException) are logged as their message; anything else with its stack.
            loggers?.CreateLogger(typeof(CniDispatcher)).LogError(e is CniException ? null : e, "CNI {Command} failed: {Message}",
                getEnvironment("CNI_COMMAND"), error.Message);
            return Fail(stdout, error, version);
        }
        finally
        {
            loggers?.Dispose();
        }
    }

    /// <summary>Maps failures to the specification's codes (and Tabby's 100+ codes).</summary>
    internal static CniException Classify(Exception e) => e switch
    {
        CniException cni => cni,
        IpamExhaustedException => new CniException(CniErrorCode.AddressesExhausted, e.Message),
        IpamContentionException => new CniException(CniErrorCode.TryAgainLater, e.Message),
        IpamRequestException or AddressInUseException => new CniException(CniErrorCode.AddressUnavailable, e.Message),
        IpamException => new CniException(CniErrorCode.DatastoreFailure, e.Message),
        DatastoreUnavailableException or HttpRequestException or TimeoutException or OperationCanceledException =>
            new CniException(CniErrorCode.TryAgainLater, $"the datastore did not answer: {e.Message}"),
        DatastoreException => new CniException(CniErrorCode.DatastoreFailure, e.Message),
        NetlinkException => new CniException(CniErrorCode.DataplaneFailure, e.Message),
        IOException or UnauthorizedAccessException => new CniException(CniErrorCode.IoFailure, e.Message),
        _ => new CniException(CniErrorCode.UnexpectedFailure, $"{e.GetType().Name}: {e.Message}", e.StackTrace),
    };

    private static int Fail(TextWriter stdout, CniException error, string version)
    {
        stdout.Write(CniResultJson.WriteError(error, version));
        return 1;
    }
}
