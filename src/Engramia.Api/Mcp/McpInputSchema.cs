using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using FluentValidation;
using FluentValidation.Validators;

namespace Engramia.Api.Mcp;

/// <summary>
/// A tool's input schema, derived from its request record: properties, types, defaults and the
/// required set from the wire JSON contract; bounds (length, range) from the record's validator, so
/// the schema and the 422 never disagree; a description per argument from the tool.
/// </summary>
public static class McpInputSchema
{
    public static JsonElement For(Type messageType, IReadOnlyDictionary<string, string> descriptions)
    {
        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(McpJson.Arguments, messageType, new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
        }).AsObject();
        schema.Remove("$schema");
        schema["type"] = "object";
        var properties = schema["properties"] as JsonObject ?? new JsonObject();
        schema["properties"] = properties;
        var bounds = BoundsOf(messageType);
        foreach (var (name, node) in properties)
        {
            if (node is not JsonObject property)
            {
                continue;
            }

            if (descriptions.TryGetValue(name, out var description))
            {
                property["description"] = description;
            }

            foreach (var (keyword, value) in bounds.GetValueOrDefault(name) ?? [])
            {
                property[keyword] = value;
            }
        }

        return JsonSerializer.SerializeToElement(schema);
    }

    /// <summary>JSON Schema keywords per wire property name, read from the validator's rules.</summary>
    private static Dictionary<string, List<(string Keyword, JsonNode Value)>> BoundsOf(Type messageType)
    {
        var result = new Dictionary<string, List<(string, JsonNode)>>(StringComparer.Ordinal);
        var validatorType = typeof(IValidator<>).MakeGenericType(messageType);
        var validator = messageType.Assembly.GetTypes()
            .Where(t => !t.IsAbstract && validatorType.IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IValidator)Activator.CreateInstance(t)!)
            .FirstOrDefault();
        if (validator is null)
        {
            return result;
        }

        var descriptor = validator.CreateDescriptor();
        foreach (var member in descriptor.GetMembersWithValidators())
        {
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Key);
            var keywords = new List<(string, JsonNode)>();
            foreach (var (component, _) in member)
            {
                keywords.AddRange(KeywordsOf(component));
            }

            if (keywords.Count > 0)
            {
                result[name] = keywords;
            }
        }

        return result;
    }

    private static IEnumerable<(string, JsonNode)> KeywordsOf(IPropertyValidator component)
    {
        switch (component)
        {
            case ILengthValidator length:
                if (length.Min > 0)
                {
                    yield return ("minLength", length.Min);
                }

                if (length.Max > 0)
                {
                    yield return ("maxLength", length.Max);
                }

                break;
            case IBetweenValidator between:
                yield return ("minimum", Number(between.From));
                yield return ("maximum", Number(between.To));
                break;
            case IComparisonValidator { ValueToCompare: { } value } comparison:
                var keyword = comparison.Comparison switch
                {
                    Comparison.GreaterThanOrEqual => "minimum",
                    Comparison.GreaterThan => "exclusiveMinimum",
                    Comparison.LessThanOrEqual => "maximum",
                    Comparison.LessThan => "exclusiveMaximum",
                    _ => null,
                };
                if (keyword is not null)
                {
                    yield return (keyword, Number(value));
                }

                break;
        }
    }

    private static JsonNode Number(object value) => JsonValue.Create(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
}
