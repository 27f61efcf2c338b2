using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Engramia.Api.Operations.Observability;

/// <summary>
/// The logging scope of one request. Tenant and project are read when a line is written (not when
/// the scope opens), so lines logged after authentication carry the caller's scope.
/// </summary>
public sealed class RequestLogScope(HttpContext context, string requestId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string RequestIdKey = "request_id";
    public const string TenantIdKey = "tenant_id";
    public const string ProjectIdKey = "project_id";

    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(RequestIdKey, requestId),
        1 => new(TenantIdKey, Caller()?.Scope.TenantId ?? "default"),
        2 => new(ProjectIdKey, Caller()?.Scope.ProjectId ?? "default"),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    private IRequestContext? Caller()
    {
        try
        {
            return context.RequestServices?.GetService<IRequestContext>();
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"request_id={requestId}";
}

/// <summary>Masks credentials in log text: every shape of the shared <see cref="SecretPatterns"/> list.</summary>
public static class LogRedactor
{
    public const string Mask = "[REDACTED]";

    public static string Redact(string text) =>
        string.IsNullOrEmpty(text) ? text : SecretPatterns.Redact(text, static _ => Mask).Text;
}

public sealed class EngramiaJsonFormatterOptions : ConsoleFormatterOptions
{
    public bool Redact { get; set; } = true;
}

/// <summary>
/// <c>ENGRAMIA_JSON_LOGS=true</c>: one JSON object per line with <c>timestamp</c> (UTC, ISO 8601),
/// <c>level</c>, <c>logger</c>, <c>message</c>, <c>request_id</c>, <c>trace_id</c>, <c>span_id</c>,
/// <c>tenant_id</c>, <c>project_id</c> and, when there is one, <c>exception</c>, with credentials
/// masked (unless <c>ENGRAMIA_LOG_REDACTION=false</c>). The field names are the ones upstream's docs and
/// the Promtail pipeline read (upstream's code wrote <c>asctime</c>/<c>levelname</c>/<c>name</c>).
/// </summary>
public sealed class EngramiaJsonFormatter(IOptionsMonitor<EngramiaJsonFormatterOptions> options) : ConsoleFormatter(Name)
{
    public new const string Name = "engramia-json";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception) ?? logEntry.State?.ToString() ?? "";
        if (message.Length == 0 && logEntry.Exception is null)
        {
            return;
        }

        var redact = options.CurrentValue.Redact;
        var fields = new Dictionary<string, string>
        {
            [RequestLogScope.RequestIdKey] = "",
            [RequestLogScope.TenantIdKey] = "default",
            [RequestLogScope.ProjectIdKey] = "default",
        };
        scopeProvider?.ForEachScope(static (scope, fields) =>
        {
            if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    if (fields.ContainsKey(key) && value is not null)
                    {
                        fields[key] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
                    }
                }
            }
        }, fields);

        var activity = Activity.Current;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("level", LevelName(logEntry.LogLevel));
            json.WriteString("logger", logEntry.Category);
            json.WriteString("message", redact ? LogRedactor.Redact(message) : message);
            json.WriteString("request_id", fields[RequestLogScope.RequestIdKey]);
            json.WriteString("trace_id", activity?.TraceId.ToHexString() ?? "");
            json.WriteString("span_id", activity?.SpanId.ToHexString() ?? "");
            json.WriteString("tenant_id", fields[RequestLogScope.TenantIdKey]);
            json.WriteString("project_id", fields[RequestLogScope.ProjectIdKey]);
            if (logEntry.EventId.Id != 0)
            {
                json.WriteNumber("event_id", logEntry.EventId.Id);
            }

            if (logEntry.Exception is { } exception)
            {
                var text = exception.ToString();
                json.WriteString("exception", redact ? LogRedactor.Redact(text) : text);
            }

            json.WriteEndObject();
        }

        textWriter.Write(Encoding.UTF8.GetString(buffer.ToArray()));
        textWriter.Write(Environment.NewLine);
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRITICAL",
        _ => "NOTSET",
    };
}

