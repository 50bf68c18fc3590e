namespace ArrayLang.Ir;

/// <summary>The kinds of token in IR.md's text form.</summary>
public enum TokenKind
{
    /// <summary>A word <c>[A-Za-z_][A-Za-z0-9_]*</c>: a name, a primitive, a dtype or a keyword
    /// (<c>func return const true false</c>); <c>inf</c> and <c>nan</c> are <see cref="Float"/>s.</summary>
    Word,
    /// <summary>An integer <c>-?[0-9]+</c>.</summary>
    Int,
    /// <summary>A float: <c>1.0</c>, <c>-2.5e-3</c>, <c>1e9</c>, <c>inf</c>, <c>-inf</c>, <c>nan</c>.</summary>
    Float,
    /// <summary>One of <c>( ) [ ] { } , : =</c> or the arrow <c>-&gt;</c>.</summary>
    Punct,
    /// <summary>The end of the input.</summary>
    End,
}

/// <summary>A token with its text and its 1-based line and column.</summary>
public readonly record struct Token(TokenKind Kind, string Text, int Line, int Column)
{
    /// <summary>True when this is the punctuation or word <paramref name="text"/>.</summary>
    public bool Is(string text) => Kind is TokenKind.Punct or TokenKind.Word && Text == text;

    /// <summary>How the token reads in an error message: <c>'xyz'</c> or <c>end of input</c>.</summary>
    public string Describe() => Kind == TokenKind.End ? "end of input" : $"'{Text}'";
}

/// <summary>
/// Splits IR text into tokens. Whitespace is insignificant and <c>#</c> starts a comment that runs
/// to the end of the line. A malformed number (<c>1.0e</c>, <c>12abc</c>) or a character outside
/// the grammar is a <see cref="ParseException"/> at its line and column.
/// </summary>
public static class IrLexer
{
    /// <summary>The tokens of <paramref name="text"/>, ending with one <see cref="TokenKind.End"/> token.</summary>
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int pos = 0, line = 1, lineStart = 0;
        while (true)
        {
            // Skip whitespace and comments.
            while (pos < text.Length)
            {
                char c = text[pos];
                if (c == '\n') { pos++; line++; lineStart = pos; }
                else if (char.IsWhiteSpace(c)) pos++;
                else if (c == '#') { while (pos < text.Length && text[pos] != '\n') pos++; }
                else break;
            }
            int col = pos - lineStart + 1;
            if (pos >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", line, col));
                return tokens;
            }

            char ch = text[pos];
            if (char.IsAsciiLetter(ch) || ch == '_')
            {
                int start = pos;
                while (pos < text.Length && IsWordChar(text[pos])) pos++;
                var word = text[start..pos];
                tokens.Add(new Token(word is "inf" or "nan" ? TokenKind.Float : TokenKind.Word, word, line, col));
            }
            else if (char.IsAsciiDigit(ch) || ch == '-' && pos + 1 < text.Length && (char.IsAsciiDigit(text[pos + 1]) || StartsWord(text, pos + 1, "inf")))
            {
                tokens.Add(LexNumber(text, ref pos, line, col));
            }
            else if (ch == '-' && pos + 1 < text.Length && text[pos + 1] == '>')
            {
                tokens.Add(new Token(TokenKind.Punct, "->", line, col));
                pos += 2;
            }
            else if ("()[]{},:=".Contains(ch))
            {
                tokens.Add(new Token(TokenKind.Punct, ch.ToString(), line, col));
                pos++;
            }
            else
            {
                var shown = ch == '-' ? "'-' (a minus sign must be followed by a digit or 'inf', or be part of '->')"
                    : char.IsControl(ch) ? $"the control character U+{(int)ch:X4}" : $"'{ch}'";
                throw new ParseException(line, col, $"unexpected character {shown}");
            }
        }
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool StartsWord(string text, int pos, string word) =>
        string.CompareOrdinal(text, pos, word, 0, word.Length) == 0 &&
        (pos + word.Length >= text.Length || !IsWordChar(text[pos + word.Length]));

    // INT := -?[0-9]+ ; FLOAT := -?([0-9]+ '.' [0-9]* ([eE][+-]?[0-9]+)? | [0-9]+ [eE][+-]?[0-9]+ | 'inf')
    private static Token LexNumber(string text, ref int pos, int line, int col)
    {
        int start = pos;
        if (text[pos] == '-')
        {
            pos++;
            if (StartsWord(text, pos, "inf"))
            {
                pos += 3;
                return new Token(TokenKind.Float, "-inf", line, col);
            }
        }
        while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
        bool isFloat = false;
        if (pos < text.Length && text[pos] == '.')
        {
            isFloat = true;
            pos++;
            while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
        }
        if (pos < text.Length && text[pos] is 'e' or 'E')
        {
            int expStart = pos;
            pos++;
            if (pos < text.Length && text[pos] is '+' or '-') pos++;
            if (pos >= text.Length || !char.IsAsciiDigit(text[pos]))
                throw new ParseException(line, col,
                    $"malformed number '{text[start..pos]}': an exponent needs digits after '{text[expStart]}' (as in 1.5e-3)");
            while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
            isFloat = true;
        }
        if (pos < text.Length && (IsWordChar(text[pos]) || text[pos] == '.'))
        {
            int end = pos;
            while (end < text.Length && (IsWordChar(text[end]) || text[end] == '.')) end++;
            throw new ParseException(line, col,
                $"malformed number '{text[start..end]}' (a number is -?[0-9]+ or a float such as 1.0, 2.5e-3, inf, nan; a name cannot start with a digit)");
        }
        return new Token(isFloat ? TokenKind.Float : TokenKind.Int, text[start..pos], line, col);
    }
}
