using System.Text;
using Keyway.Gateway;

namespace Keyway.Tests.Gateway;

/// <summary>
/// The first-bytes judgement of a 200's body: an error object in OpenAI's shape (https://platform.openai.com/docs/guides/error-codes)
/// or Anthropic's (https://docs.anthropic.com/en/api/errors) is told from an answer by its first property alone.
/// </summary>
public sealed class AnswerBodyTests
{
    [Theory]
    [InlineData("""{"error":{"message":"quota"}}""", true)]
    [InlineData(" \n{ \"error\" : \"quota\" }", true)]
    [InlineData("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", true)]
    [InlineData("""{"error":null,"id":"chatcmpl-1","choices":[]}""", false)]
    [InlineData("""{"type":"message","id":"msg_1","content":[]}""", false)]
    [InlineData("""{"id":"resp_1","object":"response","error":{"code":"server_error"}}""", false)]
    [InlineData("""{"id":"chatcmpl-1","choices":[{"message":{"content":"cut""", false)]
    [InlineData("""{"error""", false)]
    [InlineData("<html>", false)]
    [InlineData("", false)]
    public void LeadsWithError_ReadsOnlyTheFirstProperty(string body, bool expected) =>
        Assert.Equal(expected, AnswerBody.LeadsWithError(Encoding.UTF8.GetBytes(body)));

    [Theory]
    [InlineData("""{"type":"error","error":{"type":"overloaded_error"}}""", "Error")]
    [InlineData("""{"type":"message_start","message":{"id":"msg_1"}}""", "Opening")]
    [InlineData("""{"type":"ping"}""", "Opening")]
    [InlineData("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""", "Opening")]
    [InlineData("""{"type":"response.created","sequence_number":0}""", "Opening")]
    [InlineData("""{"type":"response.output_item.added","sequence_number":2}""", "Opening")]
    [InlineData("""{"type":"response.failed","response":{"error":{"code":"server_error"}}}""", "Failed")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}""", "Answer")]
    [InlineData("""{"type":"response.output_text.delta","delta":"Hi"}""", "Answer")]
    [InlineData("""{"id":"chatcmpl-1","choices":[{"delta":{"role":"assistant"}}]}""", "Answer")]
    [InlineData("""{"message_start":1}""", "Answer")]
    [InlineData("[DONE]", "Answer")]
    public void Lead_TellsAStreamsOpeningEventsFromItsAnswerAndErrors(string data, string expected) =>
        Assert.Equal(expected, AnswerBody.Lead(Encoding.UTF8.GetBytes(data)).ToString());

    /// <summary>A Chat chunk opens the stream while it carries nothing to show (https://platform.openai.com/docs/api-reference/chat-streaming/streaming).</summary>
    [Theory]
    [InlineData("""{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}""", "Opening")]
    [InlineData("""{"id":"","choices":[],"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}""", "Opening")]
    [InlineData("""{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":""}}]}""", "Opening")]
    [InlineData("""{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}""", "Answer")]
    [InlineData("""{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"Let"}}]}""", "Answer")]
    [InlineData("""{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","function":{"name":"get"}}]}}]}""", "Answer")]
    [InlineData("""{"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""", "Answer")]
    [InlineData("""{"id":"chatcmpl-1","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":0}}""", "Answer")]
    [InlineData("""{"id":"chatcmpl-1","object":"chat.completion.chunk"}""", "Answer")]
    [InlineData("""{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"role":"assistant","content":""}""", "Answer")]
    [InlineData("""{"type":"message_start","message":{"id":"msg_1"}}""", "Opening")]
    [InlineData("""{"error":{"message":"quota"}}""", "Error")]
    [InlineData("[DONE]", "Answer")]
    public void StreamEventLead_TellsAChatStreamsEmptyChunksFromItsAnswer(string data, string expected) =>
        Assert.Equal(expected, AnswerBody.StreamEventLead(Encoding.UTF8.GetBytes(data)).ToString());
}
