using System.Globalization;
using Npgsql;
using Pgvector;

namespace Engramia.Bench;

/// <summary>
/// recall@k of the service's vector search (its SQL shape: the per-dimension partial HNSW index,
/// iterative scan, scope filter) against an exact scan of the same scope, for real MiniLM query
/// embeddings of paraphrased tasks (<see cref="TaskTexts.Query"/>), at each <c>hnsw.ef_search</c> asked.
/// </summary>
public static class AnnRecall
{
    public static async Task<int> RunAsync(Args args)
    {
        var connection = args.Text("connection");
        var samples = args.Int("samples", 100);
        var k = args.Int("k", 10);
        var tenant = args.Text("tenant", "default");
        var project = args.Text("project", "default");
        var efs = args.Text("ef-search", "40,100,200").Split(',').Select(int.Parse).ToArray();
        var iterative = args.Text("iterative-scan", "relaxed_order");
        var offset = args.Int("query-offset", 2_000_000);

        using var embedder = new Embedder();
        var queries = Enumerable.Range(offset, samples).Select(TaskTexts.Query).ToArray();
        var vectors = embedder.EmbedBatch(queries);

        var builder = new NpgsqlDataSourceBuilder(connection);
        builder.UseVector();
        await using var dataSource = builder.Build();
        await using var conn = await dataSource.OpenConnectionAsync();

        var exact = new List<HashSet<string>>();
        var exactMs = new List<double>();
        foreach (var v in vectors)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            exact.Add([.. await KeysAsync(conn, Exact, v, k, tenant, project)]);
            exactMs.Add(sw.Elapsed.TotalMilliseconds);
        }

        foreach (var ef in efs)
        {
            await using (var set = new NpgsqlCommand($"SET hnsw.ef_search = {ef}; SET hnsw.iterative_scan = {iterative}", conn))
            {
                await set.ExecuteNonQueryAsync();
            }

            var recalls = new List<double>();
            var ms = new List<double>();
            for (var i = 0; i < vectors.Length; i++)
            {
                var sw = System.Diagnostics.Stopwatch.StartNew();
                var ann = await KeysAsync(conn, Service, vectors[i], k, tenant, project);
                ms.Add(sw.Elapsed.TotalMilliseconds);
                recalls.Add(exact[i].Count == 0 ? 1 : ann.Count(exact[i].Contains) / (double)exact[i].Count);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $$"""{"step":"ann_recall","tenant":"{{tenant}}","k":{{k}},"samples":{{samples}},"ef_search":{{ef}},"iterative_scan":"{{iterative}}","recall_mean":{{recalls.Average():F4}},"recall_min":{{recalls.Min():F2}},"ann_p50_ms":{{Stats.Percentile(ms.Order().ToList(), 50):F2}},"exact_p50_ms":{{Stats.Percentile(exactMs.Order().ToList(), 50):F2}}}"""));
        }

        return 0;
    }

    /// <summary>The service's query (PostgresVectorIndex.SearchAsync).</summary>
    private const string Service = """
        SELECT key FROM memory_embeddings
        WHERE tenant_id = @t AND project_id = @p AND dim = 384 AND model = 'all-MiniLM-L6-v2'
        ORDER BY embedding::vector(384) <=> @q::vector(384) LIMIT @k
        """;

    /// <summary>Every distance of the scope computed, then sorted: no index can serve the order.</summary>
    private const string Exact = """
        WITH d AS MATERIALIZED (
            SELECT key, embedding::vector(384) <=> @q::vector(384) AS distance FROM memory_embeddings
            WHERE tenant_id = @t AND project_id = @p AND dim = 384 AND model = 'all-MiniLM-L6-v2')
        SELECT key FROM d ORDER BY distance LIMIT @k
        """;

    private static async Task<List<string>> KeysAsync(NpgsqlConnection conn, string sql, float[] vector, int k, string tenant, string project)
    {
        await using var command = new NpgsqlCommand(sql, conn);
        command.Parameters.AddWithValue("q", new Vector(vector));
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("p", project);
        command.Parameters.AddWithValue("k", k);
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}
