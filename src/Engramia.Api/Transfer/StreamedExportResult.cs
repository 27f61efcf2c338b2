using Engramia.Application.Memory.Transfer;
using Microsoft.AspNetCore.Mvc;

namespace Engramia.Api.Transfer;

/// <summary>
/// Writes an export while the database reads it (NDJSON when the client accepts it, else upstream's JSON).
/// A failure after the first byte aborts the connection: the client sees a transfer error (no chunked
/// terminator), never a 200 whose body merely stops, so a cut export cannot pass for a backup.
/// </summary>
public sealed partial class StreamedExportResult(ExportStream export, bool ndjson) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        var logger = http.RequestServices.GetRequiredService<ILogger<StreamedExportResult>>();
        using (export)
        {
            http.Response.ContentType = ndjson ? ExportRecordWriter.NdjsonMediaType + "; charset=utf-8" : "application/json; charset=utf-8";
            try
            {
                var count = ndjson
                    ? await ExportRecordWriter.WriteNdjsonAsync(http.Response.Body, export.Records, http.RequestAborted)
                    : await ExportRecordWriter.WriteJsonAsync(http.Response.Body, export.Records, http.RequestAborted);
                LogExported(logger, count, ndjson ? "ndjson" : "json");
            }
            catch (Exception ex) when (http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
            {
                LogAborted(logger, ex);
                http.Abort();
            }
        }
    }

    /// <summary>True when the Accept header asks for NDJSON (JSON stays the default).</summary>
    public static bool WantsNdjson(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(ExportRecordWriter.NdjsonMediaType, StringComparison.OrdinalIgnoreCase) && a.Quality is null or > 0);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export wrote {Count} records as {Format}")]
    private static partial void LogExported(ILogger logger, int count, string format);

    [LoggerMessage(Level = LogLevel.Error, Message = "Export failed after its first byte; connection aborted so the client sees an incomplete transfer")]
    private static partial void LogAborted(ILogger logger, Exception exception);
}
