using System.Diagnostics;

namespace Engramia.Api.Tests.Infrastructure;

/// <summary>Runs the built Engramia.Api binary as an operator would (CLI commands, start-up refusals).</summary>
public static class ApiProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Engramia.Api.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ENGRAMIA_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        // A start-up refusal must happen before Kestrel binds; a free port keeps a bug from hanging on 8000.
        start.Environment["ENGRAMIA_PORT"] = "0";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Engramia.Api {string.Join(' ', args)} did not exit within 90 s.");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
