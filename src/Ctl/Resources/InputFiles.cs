namespace Tabby.Ctl.Resources;

/// <summary>The <c>-f</c> inputs: files, every *.yaml/*.yml/*.json of a directory, or <c>-</c> for stdin.</summary>
internal static class InputFiles
{
    public static IEnumerable<(string Source, string Text)> Read(IEnumerable<string> paths, TextReader stdin)
    {
        foreach (var path in paths)
        {
            if (path == "-")
            {
                yield return ("stdin", stdin.ReadToEnd());
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) ||
                    f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                {
                    yield return (file, File.ReadAllText(file));
                }
            }
            else if (File.Exists(path))
            {
                yield return (path, File.ReadAllText(path));
            }
            else
            {
                throw new FileNotFoundException($"{path} does not exist", path);
            }
        }
    }
}
