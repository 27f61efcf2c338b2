namespace Engramia.Api.Transfer;

/// <summary>
/// Marks an endpoint that reads its body as a stream of bounded records (NDJSON import): the total
/// body size is not limited by <c>ENGRAMIA_MAX_BODY_SIZE</c>, each line is instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StreamedBodyAttribute : Attribute;
