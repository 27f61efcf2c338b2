namespace Engramia.Bench;

/// <summary>
/// Synthetic but realistic agent task texts: verb × object × format × detail, so every text is
/// distinct and paraphrase-like neighbours exist. Deterministic for a given index.
/// </summary>
public static class TaskTexts
{
    private static readonly string[] Verbs =
    [
        "Parse", "Validate", "Aggregate", "Deduplicate", "Summarize", "Transform", "Export", "Import", "Index", "Compress",
        "Encrypt", "Schedule", "Monitor", "Scrape", "Normalize", "Classify", "Translate", "Resize", "Migrate", "Benchmark",
    ];

    private static readonly string[] Objects =
    [
        "customer orders", "server logs", "sensor readings", "invoices", "user profiles", "product reviews", "support tickets",
        "bank transactions", "weather observations", "git commits", "HTTP access logs", "medical records", "shipping manifests",
        "payroll entries", "survey answers", "stock quotes", "chat transcripts", "inventory counts", "flight schedules", "exam scores",
    ];

    private static readonly string[] Formats =
    [
        "from a CSV file", "from JSON lines", "in a PostgreSQL table", "from an S3 bucket", "from an XML feed", "from Excel sheets",
        "from a REST API", "in Parquet files", "from a Kafka topic", "from YAML configs",
    ];

    private static readonly string[] Details =
    [
        "and compute daily statistics", "and write a markdown report", "and flag anomalies", "and group by region",
        "and store the result in Redis", "and send an email summary", "with retries on failure", "and plot a histogram",
        "and keep only the newest records", "and emit Prometheus metrics", "in parallel batches", "and validate against a schema",
    ];

    public static string Task(int i)
    {
        var v = Verbs[i % Verbs.Length];
        var o = Objects[(i / Verbs.Length) % Objects.Length];
        var f = Formats[(i / (Verbs.Length * Objects.Length)) % Formats.Length];
        var d = Details[(i / (Verbs.Length * Objects.Length * Formats.Length)) % Details.Length];
        var round = i / (Verbs.Length * Objects.Length * Formats.Length * Details.Length);
        return round == 0 ? $"{v} {o} {f} {d}" : $"{v} {o} {f} {d} (variant {round})";
    }

    /// <summary>A query that paraphrases task <paramref name="i"/> without copying it.</summary>
    public static string Query(int i) => "How do I " + Task(i).ToLowerInvariant().Replace(" and ", " then ", StringComparison.Ordinal) + "?";
}
