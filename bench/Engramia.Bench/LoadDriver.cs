using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace Engramia.Bench;

/// <summary>
/// Closed-loop HTTP load: C clients, each sending its next request as soon as the previous one
/// answered, for a fixed duration. Recall queries and learn tasks are all distinct.
/// </summary>
public static class LoadDriver
{
    public static async Task<int> RunAsync(Args args)
    {
        var url = args.Text("url").TrimEnd('/');
        var endpoint = args.Text("endpoint");
        var clients = args.Int("concurrency", 1);
        var seconds = args.Double("duration", 10);
        var warmup = args.Double("warmup", 2);
        var offset = args.Int("query-offset", 2_000_000);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri(url),
            Timeout = TimeSpan.FromSeconds(60),
        };
        var next = offset;
        var errors = 0;
        var latencies = new List<double>[clients];

        async Task Client(int id, double runSeconds, bool record)
        {
            latencies[id] = [];
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < runSeconds)
            {
                var i = Interlocked.Increment(ref next);
                var sw = Stopwatch.StartNew();
                using var response = endpoint switch
                {
                    "health" => await http.GetAsync("/v1/health"),
                    "recall" => await http.PostAsJsonAsync("/v1/recall", new { task = TaskTexts.Query(i), limit = 5 }),
                    "learn" => await http.PostAsJsonAsync("/v1/learn", new
                    {
                        task = TaskTexts.Task(i) + $" #{i}",
                        code = $"def run():\n    return {i}",
                        eval_score = 7.5,
                    }),
                    _ => throw new ArgumentException($"unknown endpoint {endpoint}"),
                };
                await response.Content.LoadIntoBufferAsync();
                var ms = sw.Elapsed.TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                    if (errors <= 3)
                    {
                        await Console.Error.WriteLineAsync($"load: {endpoint} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                }
                else if (record)
                {
                    latencies[id].Add(ms);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(id => Client(id, warmup, record: false)));
        errors = 0;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(id => Client(id, seconds, record: true)));
        var elapsed = wall.Elapsed.TotalSeconds;

        var all = latencies.SelectMany(l => l).OrderBy(x => x).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"step":"load","endpoint":"{{endpoint}}","concurrency":{{clients}},"requests":{{all.Count}},"errors":{{errors}},"throughput_per_s":{{Stats.F(all.Count / elapsed)}},"p50_ms":{{Stats.F(Stats.Percentile(all, 50))}},"p95_ms":{{Stats.F(Stats.Percentile(all, 95))}},"p99_ms":{{Stats.F(Stats.Percentile(all, 99))}}}"""));
        return errors > 0 ? 1 : 0;
    }
}
