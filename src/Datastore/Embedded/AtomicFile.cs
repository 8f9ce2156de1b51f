namespace Tabby.Datastore.Embedded;

/// <summary>
/// Whole-file replacement that a crash cannot tear: write a temporary file in the same directory,
/// fsync it, rename it over the target (rename(2) is atomic), fsync the directory. A reader or a
/// process restarted after kill -9 sees either the old file or the new one, never a mix.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Prefix of temporary files; object files never start with '.' (names are escaped).</summary>
    public const string TempPrefix = ".tmp-";

    public static void Write(string path, ReadOnlySpan<byte> contents)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $"{TempPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        NativeMethods.FsyncDirectory(directory);
    }

    public static void Delete(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
            NativeMethods.FsyncDirectory(Path.GetDirectoryName(path)!);
        }
    }

    /// <summary>Reads a file, or null when it does not exist.</summary>
    public static byte[]? TryRead(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Removes temporaries left by a writer that died between create and rename.</summary>
    public static void RemoveStaleTemporaries(string directory, TimeSpan olderThan)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(directory, TempPrefix + "*"))
        {
            if (DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > olderThan)
            {
                TryDelete(file);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
