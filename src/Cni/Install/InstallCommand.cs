namespace Tabby.Cni.Install;

/// <summary><c>tabby-cni install [--bin-dir D] [--net-dir D] ...</c>: exit 0 when installed, 1 on failure, 2 on bad usage.</summary>
public static class InstallCommand
{
    public static Task<int> RunAsync(string[] args, Func<string, string?> env, TextWriter stdout, TextWriter stderr)
    {
        InstallSettings settings;
        try
        {
            settings = InstallSettings.From(args, env);
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            stderr.WriteLine($"tabby-cni install: {e.Message}");
            return Task.FromResult(2);
        }

        try
        {
            new CniInstaller(settings, stdout).Install();
            return Task.FromResult(0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or InvalidDataException)
        {
            stderr.WriteLine($"tabby-cni install: {e.Message}");
            return Task.FromResult(1);
        }
    }
}
