namespace Tabby.Cni.Install;

/// <summary>
/// <c>tabby-cni install [--bin-dir D] [--net-dir D] ... [--watch SECONDS]</c>: exit 0 when installed,
/// 1 on failure, 2 on bad usage. With --watch it stays running (a sidecar) and keeps the plugin's
/// kubeconfig in step with the rotated service account token.
/// </summary>
public static class InstallCommand
{
    public static async Task<int> RunAsync(string[] args, Func<string, string?> env, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken = default)
    {
        InstallSettings settings;
        try
        {
            settings = InstallSettings.From(args, env);
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            await stderr.WriteLineAsync($"tabby-cni install: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        var installer = new CniInstaller(settings, stdout);
        try
        {
            installer.Install();
        }
        catch (Exception e) when (IsInstallFailure(e))
        {
            await stderr.WriteLineAsync($"tabby-cni install: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        if (settings.WatchInterval is not { } interval)
        {
            return 0;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                if (installer.RefreshKubeconfig())
                {
                    await stdout.WriteLineAsync("The service account token changed: kubeconfig rewritten").ConfigureAwait(false);
                }
            }
            catch (Exception e) when (IsInstallFailure(e))
            {
                // Transient (a token being swapped in): try again next round.
                await stderr.WriteLineAsync($"tabby-cni install: refreshing the kubeconfig failed: {e.Message}").ConfigureAwait(false);
            }
        }

        return 0;
    }

    private static bool IsInstallFailure(Exception e) =>
        e is IOException or UnauthorizedAccessException or InvalidOperationException or InvalidDataException;
}
