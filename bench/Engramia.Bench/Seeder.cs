using System.Diagnostics;
using System.Globalization;
using Engramia.Domain.Memory.Algorithms;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace Engramia.Bench;

/// <summary>
/// Fills the benchmark scope with N patterns (row, vector and one eval record each) by binary COPY,
/// in the service's own schema, with the learn near-duplicate signature the service would store. The vectors are real local-MiniLM embeddings of the task texts.
/// </summary>
public static class Seeder
{
    public static async Task<int> RunAsync(Args args)
    {
        var count = args.Int("count", 10_000);
        var connection = args.Text("connection");
        var tenant = args.Text("tenant", "default");
        var project = args.Text("project", "default");
        var model = args.Text("model", "all-MiniLM-L6-v2");

        var clock = Stopwatch.StartNew();

        // --vectors none: rows, signatures and eval records only (learn's lookup needs no vectors).
        var withVectors = args.Text("vectors", "minilm") != "none";
        float[][] vectors = [];
        if (withVectors)
        {
            using var embedder = new Embedder();
            // --real N: only the first N vectors are real embeddings; the others are one of them plus
            // Gaussian noise (--noise, per coordinate before normalising), for sizes too large to embed here.
            var real = Math.Min(args.Int("real", count), count);
            vectors = embedder.TaskVectors(real, args.Text("cache", "bench/.cache"));
            if (real < count)
            {
                vectors = Derive(vectors, count, args.Double("noise", 0.02));
            }
        }

        var embedSeconds = clock.Elapsed.TotalSeconds;

        var builder = new NpgsqlDataSourceBuilder(connection);
        builder.UseVector();
        await using var dataSource = builder.Build();
        await using var conn = await dataSource.OpenConnectionAsync();
        await using (var clear = new NpgsqlCommand(
            "DELETE FROM memory_embeddings WHERE tenant_id = @t AND project_id = @p; DELETE FROM memory_data WHERE tenant_id = @t AND project_id = @p; DELETE FROM eval_records WHERE tenant_id = @t AND project_id = @p;", conn))
        {
            clear.Parameters.AddWithValue("t", tenant);
            clear.Parameters.AddWithValue("p", project);
            await clear.ExecuteNonQueryAsync();
        }

        var random = new Random(42);
        var now = DateTimeOffset.UtcNow;
        var keys = Enumerable.Range(0, count).Select(i => $"patterns/{i:x8}_{now.ToUnixTimeMilliseconds() - i}_bench").ToArray();
        var scores = Enumerable.Range(0, count).Select(_ => Math.Round(4 + random.NextDouble() * 6, 2)).ToArray();

        await using (var writer = await conn.BeginBinaryImportAsync(
            "COPY memory_data (tenant_id, project_id, key, task, design, success_score, reuse_count, timestamp, updated_at, classification, source, redacted, word_count, word_set_hash) FROM STDIN (FORMAT BINARY)"))
        {
            // A loaded server can take minutes per COPY; the default read timeout (30 s) failed the 100k seed.
            writer.Timeout = TimeSpan.FromHours(1);
            for (var i = 0; i < count; i++)
            {
                var task = TaskTexts.Task(i);
                var signature = DedupSignature.Of(task);
                var design = $$"""{"code": "def run():\n    # {{task.Replace("\"", "'", StringComparison.Ordinal)}}\n    return {{i}}", "classification": "internal", "source": "bench"}""";
                await writer.StartRowAsync();
                await writer.WriteAsync(tenant);
                await writer.WriteAsync(project);
                await writer.WriteAsync(keys[i]);
                await writer.WriteAsync(task);
                await writer.WriteAsync(design, NpgsqlDbType.Jsonb);
                await writer.WriteAsync(scores[i]);
                await writer.WriteAsync(0);
                await writer.WriteAsync(now.ToUnixTimeMilliseconds() / 1000.0 - i * 60.0);
                await writer.WriteAsync(now.UtcDateTime, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync("internal");
                await writer.WriteAsync("bench");
                await writer.WriteAsync(false);
                await writer.WriteAsync(signature.WordCount);
                await writer.WriteAsync(signature.SetHash);
            }

            await writer.CompleteAsync();
        }

        // The tokens' foreign-key checks are planned from memory_data's statistics: without them a
        // check may scan the table once per token row (hours at 100,000 patterns).
        await ExecuteAsync(conn, "ANALYZE memory_data");

        await using (var writer = await conn.BeginBinaryImportAsync("COPY pattern_dedup_tokens (tenant_id, project_id, token, key) FROM STDIN (FORMAT BINARY)"))
        {
            writer.Timeout = TimeSpan.FromHours(1);
            for (var i = 0; i < count; i++)
            {
                foreach (var token in DedupSignature.Of(TaskTexts.Task(i)).StoredTokens)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(tenant);
                    await writer.WriteAsync(project);
                    await writer.WriteAsync(token);
                    await writer.WriteAsync(keys[i]);
                }
            }

            await writer.CompleteAsync();
        }

        // --index-after: drop the HNSW index for the COPY and build it once over every vector (for
        // large seeds, as an operator would bulk-load), timing the build.
        var indexAfter = args.Text("index-after", "false") == "true";
        double? buildSeconds = null;
        if (withVectors)
        {
            if (indexAfter)
            {
                await ExecuteAsync(conn, "DROP INDEX IF EXISTS idx_memory_embeddings_hnsw_384");
            }

            await CopyVectorsAsync(conn, tenant, project, model, keys, vectors);
            if (indexAfter)
            {
                var indexClock = Stopwatch.StartNew();
                await ExecuteAsync(conn, $"SET maintenance_work_mem = '{args.Text("maintenance-work-mem", "3GB")}'; SET max_parallel_maintenance_workers = 1; " + HnswIndex);
                buildSeconds = indexClock.Elapsed.TotalSeconds;
            }
        }

        await using (var writer = await conn.BeginBinaryImportAsync(
            "COPY eval_records (tenant_id, project_id, agent_name, task, scores, overall, feedback, timestamp) FROM STDIN (FORMAT BINARY)"))
        {
            writer.Timeout = TimeSpan.FromHours(1);
            for (var i = 0; i < count; i++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(tenant);
                await writer.WriteAsync(project);
                await writer.WriteAsync(keys[i]);
                await writer.WriteAsync(TaskTexts.Task(i));
                await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $$"""{"overall": {{scores[i]}}, "feedback": ""}"""), NpgsqlDbType.Jsonb);
                await writer.WriteAsync(scores[i]);
                await writer.WriteAsync("");
                await writer.WriteAsync(now.ToUnixTimeMilliseconds() / 1000.0 - i * 60.0);
            }

            await writer.CompleteAsync();
        }

        await ExecuteAsync(conn, "ANALYZE memory_data; ANALYZE memory_embeddings; ANALYZE eval_records; ANALYZE pattern_dedup_tokens;");

        var build = buildSeconds is { } b ? string.Create(CultureInfo.InvariantCulture, $",\"hnsw_build_seconds\":{b:F1}") : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"step":"seed","patterns":{{count}},"embed_seconds":{{embedSeconds:F1}},"total_seconds":{{clock.Elapsed.TotalSeconds:F1}}{{build}}}"""));
        return 0;
    }

    /// <summary>The migration's index (InitialSchema): same name, operator class and build parameters.</summary>
    private const string HnswIndex =
        "CREATE INDEX idx_memory_embeddings_hnsw_384 ON memory_embeddings USING hnsw ((embedding::vector(384)) vector_cosine_ops) WITH (m = 16, ef_construction = 64) WHERE dim = 384";

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql)
    {
        await using var command = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private static float[][] Derive(float[][] real, int count, double noise)
    {
        var random = new Random(11);
        var all = new float[count][];
        real.CopyTo(all, 0);
        for (var i = real.Length; i < count; i++)
        {
            var v = real[i % real.Length].Select(x => x + (float)(noise * Gaussian(random))).ToArray();
            var norm = MathF.Sqrt(v.Sum(x => x * x));
            all[i] = v.Select(x => x / norm).ToArray();
        }

        return all;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static async Task CopyVectorsAsync(NpgsqlConnection conn, string tenant, string project, string model, string[] keys, float[][] vectors)
    {
        await using (var writer = await conn.BeginBinaryImportAsync(
            "COPY memory_embeddings (tenant_id, project_id, key, embedding, dim, model) FROM STDIN (FORMAT BINARY)"))
        {
            writer.Timeout = TimeSpan.FromHours(1);
            for (var i = 0; i < keys.Length; i++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(tenant);
                await writer.WriteAsync(project);
                await writer.WriteAsync(keys[i]);
                await writer.WriteAsync(new Vector(vectors[i]));
                await writer.WriteAsync(384);
                await writer.WriteAsync(model);
            }

            await writer.CompleteAsync();
        }
    }
}
