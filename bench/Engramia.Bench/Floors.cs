using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Pgvector;

namespace Engramia.Bench;

/// <summary>
/// The machine's own floors, measured in the same run as the load: one query embedding, one
/// direct top-k pgvector query (the service's SQL shape) over Npgsql, one insert, and the
/// embedding-bound ceiling (queries embedded per second on all cores, no HTTP, no database).
/// </summary>
public static class Floors
{
    public static async Task<int> RunAsync(Args args)
    {
        var connection = args.Text("connection");
        var samples = args.Int("samples", 200);
        var k = args.Int("k", 20);
        var ceilingSeconds = args.Double("ceiling-seconds", 10);
        var offset = args.Int("query-offset", 1_000_000);

        using var embedder = new Embedder();
        for (var i = 0; i < 20; i++)
        {
            embedder.Embed(TaskTexts.Query(offset - 1 - i));
        }

        var queries = Enumerable.Range(offset, samples).Select(TaskTexts.Query).ToArray();
        var vectors = new float[samples][];
        var embedMs = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var sw = Stopwatch.StartNew();
            vectors[i] = embedder.Embed(queries[i]);
            embedMs.Add(sw.Elapsed.TotalMilliseconds);
        }

        var builder = new NpgsqlDataSourceBuilder(connection);
        builder.UseVector();
        await using var dataSource = builder.Build();
        await using var conn = await dataSource.OpenConnectionAsync();
        const string sql = """
                           SELECT key, 1 - (embedding::vector(384) <=> @q::vector(384)) AS similarity
                           FROM memory_embeddings
                           WHERE tenant_id = @t AND project_id = @p AND dim = 384
                           ORDER BY embedding::vector(384) <=> @q::vector(384)
                           LIMIT @k
                           """;
        var queryMs = new List<double>(samples);
        for (var i = -10; i < samples; i++)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.AddWithValue("q", new Vector(vectors[Math.Max(i, 0)]));
            cmd.Parameters.AddWithValue("t", "default");
            cmd.Parameters.AddWithValue("p", "default");
            cmd.Parameters.AddWithValue("k", k);
            var sw = Stopwatch.StartNew();
            var rows = 0;
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    rows++;
                }
            }

            if (i >= 0)
            {
                queryMs.Add(sw.Elapsed.TotalMilliseconds);
            }
        }

        var insertMs = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var sw = Stopwatch.StartNew();
            await using var tx = await conn.BeginTransactionAsync();
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO memory_data (tenant_id, project_id, key, task, design, success_score, reuse_count, timestamp, updated_at, classification, redacted)
                VALUES ('bench-floor', 'p', @k, @task, '{"code":"x"}'::jsonb, 7.5, 0, 0, now(), 'internal', false);
                INSERT INTO memory_embeddings (tenant_id, project_id, key, embedding, dim, model) VALUES ('bench-floor', 'p', @k, @v, 384, 'floor');
                """, conn, tx);
            cmd.Parameters.AddWithValue("k", $"patterns/floor_{i}");
            cmd.Parameters.AddWithValue("task", queries[i]);
            cmd.Parameters.AddWithValue("v", new Vector(vectors[i]));
            await cmd.ExecuteNonQueryAsync();
            await tx.CommitAsync();
            insertMs.Add(sw.Elapsed.TotalMilliseconds);
        }

        await using (var cleanup = new NpgsqlCommand("DELETE FROM memory_embeddings WHERE tenant_id = 'bench-floor'; DELETE FROM memory_data WHERE tenant_id = 'bench-floor';", conn))
        {
            await cleanup.ExecuteNonQueryAsync();
        }

        var ceiling = Ceiling(embedder, Environment.ProcessorCount, ceilingSeconds, offset + samples);
        embedMs.Sort();
        queryMs.Sort();
        insertMs.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"step":"floors","k":{{k}},"embed_p50_ms":{{Stats.F(Stats.Percentile(embedMs, 50))}},"query_p50_ms":{{Stats.F(Stats.Percentile(queryMs, 50))}},"insert_p50_ms":{{Stats.F(Stats.Percentile(insertMs, 50))}},"embed_ceiling_per_s":{{Stats.F(ceiling)}},"threads":{{Environment.ProcessorCount}}}"""));
        return 0;
    }

    /// <summary>Distinct single-text embeddings per second with one thread per core.</summary>
    private static double Ceiling(Embedder embedder, int threads, double seconds, int firstIndex)
    {
        var next = firstIndex;
        var done = 0;
        var stop = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            while (stop.Elapsed.TotalSeconds < seconds)
            {
                embedder.Embed(TaskTexts.Query(Interlocked.Increment(ref next)));
                Interlocked.Increment(ref done);
            }
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        return done / stop.Elapsed.TotalSeconds;
    }
}
