using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Engramia.Api.Tests.Deployment;

/// <summary>Reads the repository's deployment files (found by walking up to Engramia.sln) as data.</summary>
internal static partial class DeployFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Text(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>One YAML document as nested dictionaries and lists; merge keys (<c>&lt;&lt;: *anchor</c>) resolved.</summary>
    public static Dictionary<object, object> Yaml(string relative) => (Dictionary<object, object>)YamlDocuments(relative).Single();

    public static List<object> YamlDocuments(string relative)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new MergingParser(new Parser(new StringReader(Text(relative))));
        var documents = new List<object>();
        parser.Consume<YamlDotNet.Core.Events.StreamStart>();
        while (parser.Accept<YamlDotNet.Core.Events.DocumentStart>(out _))
        {
            documents.Add(deserializer.Deserialize<object>(parser)!);
        }

        return documents;
    }

    public static Dictionary<object, object> Map(this object node, string key) =>
        node is Dictionary<object, object> map && map.TryGetValue(key, out var value) && value is Dictionary<object, object> child
            ? child
            : throw new AssertionException($"'{key}' is not a mapping");

    public static List<object> List(this object node, string key) =>
        node is Dictionary<object, object> map && map.TryGetValue(key, out var value) && value is List<object> child
            ? child
            : throw new AssertionException($"'{key}' is not a list");

    public static string? Scalar(this object node, string key) =>
        node is Dictionary<object, object> map && map.TryGetValue(key, out var value) ? value as string : null;

    /// <summary>Variable names of a KEY=value file, comments and blank lines skipped.</summary>
    public static HashSet<string> EnvFileKeys(string relative) =>
        File.ReadAllLines(PathOf(relative))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2)[0].Trim())
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Kubernetes memory quantity in bytes (Mi, Gi, M, G, plain).</summary>
    public static long Bytes(string quantity)
    {
        var match = QuantityPattern().Match(quantity);
        if (!match.Success)
        {
            throw new AssertionException($"not a memory quantity: {quantity}");
        }

        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var factor = match.Groups[2].Value switch
        {
            "Ki" => 1L << 10, "Mi" => 1L << 20, "Gi" => 1L << 30,
            "K" or "k" => 1_000L, "M" => 1_000_000L, "G" => 1_000_000_000L,
            _ => 1L,
        };
        return (long)(number * factor);
    }

    public sealed record ProcessResult(int ExitCode, string Output);

    /// <summary>Runs a program with the repository root as working directory.</summary>
    public static async Task<ProcessResult> RunAsync(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 600)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        await process.WaitForExitAsync(timeout.Token);
        return new ProcessResult(process.ExitCode, (await stdout) + (await stderr));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Engramia.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Engramia.sln not found above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^([0-9.]+)([KMG]i?|k)?$")]
    private static partial Regex QuantityPattern();
}
