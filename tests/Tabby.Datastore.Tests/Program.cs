namespace Tabby.Datastore.Tests;

/// <summary>Entry point used only when a test starts this assembly as a child process.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == Embedded.CrashWriter.Mode)
        {
            return Embedded.CrashWriter.Run(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 0,
                compactOften: !(args.Length > 3 && args[3] == Embedded.CrashWriter.NoCompaction));
        }

        Console.Error.WriteLine($"usage: dotnet Tabby.Datastore.Tests.dll {Embedded.CrashWriter.Mode} DIR [SEED]");
        return 2;
    }
}
