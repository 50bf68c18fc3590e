/// The fuzzers' mutators: byte, token and structure mutations of IR text, and byte and header
/// mutations of .npy images. Each is a pure function of a seeded Random, so a failure reproduces
/// from its seed number.
module ArrayLang.Tests.Fuzz.Mutators

open System
open System.Text
open ArrayLang.Ir

let private pick (rng: Random) (xs: 'a array) = xs.[rng.Next xs.Length]

/// Characters worth inserting: the grammar's punctuation, digits, letters, and characters that
/// should be refused (NUL, NBSP, a control character, a non-ASCII letter, a lone surrogate).
let private interestingChars =
    "()[]{},:=->#.+-eE_ \n\t0123456789afinxv".ToCharArray()
    |> Array.append [| '\000'; '\u00A0'; '\u0007'; '\u00E9'; '\uD800'; '\u2028' |]

/// Tokens worth inserting: keywords, dtypes, primitive names, numbers at the edges of their ranges.
let private interestingTokens =
    [| "func"; "return"; "const"; "true"; "false"; "inf"; "-inf"; "nan"; "f32"; "f64"; "i32"; "bool"
       "scan"; "cond"; "while"; "add"; "dot_general"; "reshape"; "broadcast_in_dim"; "random_bits"; "convert"
       "0"; "1"; "-1"; "2"; "65536"; "2147483647"; "2147483648"; "-2147483649"; "99999999999999999999"
       "1.0"; "1e400"; "-0.0"; "1e-400"; "[]"; "[0]"; "[1,0]"; "([],[])"; "([1],[0])"
       "("; ")"; "["; "]"; "{"; "}"; ","; ":"; "="; "->"; "x"; "y"; "a" |]

/// One byte-level (character-level) mutation of <paramref name="text"/>.
let mutateChars (rng: Random) (text: string) =
    let sb = StringBuilder(text)
    let pos () = if sb.Length = 0 then 0 else rng.Next sb.Length
    match rng.Next 6 with
    | 0 when sb.Length > 0 -> sb.[pos ()] <- pick rng interestingChars
    | 1 -> sb.Insert(pos (), pick rng interestingChars) |> ignore
    | 2 when sb.Length > 0 ->
        let p = pos ()
        sb.Remove(p, min (1 + rng.Next 8) (sb.Length - p)) |> ignore
    | 3 when sb.Length > 0 ->
        let p = pos ()
        let n = min (1 + rng.Next 40) (sb.Length - p)
        sb.Insert(pos (), sb.ToString(p, n)) |> ignore
    | 4 when sb.Length > 0 -> sb.Length <- pos ()
    | _ when sb.Length > 0 ->
        let p = pos ()
        sb.[p] <- char (int sb.[p] ^^^ (1 <<< rng.Next 7))
    | _ -> sb.Append(pick rng interestingChars) |> ignore
    sb.ToString()

/// One token-level mutation: the text is tokenized, a token replaced, removed, duplicated or two
/// swapped, and the tokens joined with spaces (so the result stays lexically plausible).
let mutateTokens (rng: Random) (text: string) =
    let tokens = IrLexer.Tokenize text |> Seq.filter (fun t -> t.Kind <> TokenKind.End) |> Seq.map (fun t -> t.Text) |> ResizeArray
    if tokens.Count = 0 then pick rng interestingTokens
    else
        let i = rng.Next tokens.Count
        match rng.Next 6 with
        | 0 -> tokens.[i] <- pick rng interestingTokens
        | 5 ->
            // A float literal changed to another: the program usually stays valid, so this reaches
            // vmap and the evaluator with values at the edges (NaN, infinities, -0, huge, tiny).
            let floats = [ for k in 0 .. tokens.Count - 1 do if tokens.[k].Contains '.' || tokens.[k] = "inf" || tokens.[k] = "nan" then yield k ]
            let k = if floats.IsEmpty then i else floats.[rng.Next floats.Length]
            tokens.[k] <- pick rng [| "0.0"; "-0.0"; "1.5"; "-2.5e3"; "nan"; "inf"; "-inf"; "3.4e38"; "1e-45"; "1e300" |]
        | 1 -> tokens.[i] <- tokens.[rng.Next tokens.Count]
        | 2 -> tokens.RemoveAt i
        | 3 -> tokens.Insert(i, tokens.[rng.Next tokens.Count])
        | _ ->
            let j = rng.Next tokens.Count
            let t = tokens.[i]
            tokens.[i] <- tokens.[j]
            tokens.[j] <- t
        String.Join(" ", tokens)

/// One structure-level mutation on lines (an equation a line in printed IR): a line deleted,
/// duplicated, moved, or taken from another program (<paramref name="donor"/>).
let mutateLines (rng: Random) (donor: string) (text: string) =
    let lines = text.Split('\n') |> ResizeArray
    let other = donor.Split('\n')
    let i = rng.Next lines.Count
    match rng.Next 4 with
    | 0 when lines.Count > 1 -> lines.RemoveAt i
    | 1 -> lines.Insert(i, lines.[rng.Next lines.Count])
    | 2 ->
        let l = lines.[i]
        lines.RemoveAt i
        lines.Insert(rng.Next(lines.Count + 1), l)
    | _ -> lines.Insert(i, pick rng other)
    String.Join("\n", lines)

/// A mutant of one of <paramref name="seeds"/>: one to three mutations of mixed kinds.
let mutateIr (rng: Random) (seeds: string array) =
    let mutable text = pick rng seeds
    for _ in 1 .. (if rng.Next 2 = 0 then 1 else 2 + rng.Next 2) do
        text <-
            match rng.Next 3 with
            | 0 -> mutateChars rng text
            | 1 -> (try mutateTokens rng text with :? ParseException -> mutateChars rng text)
            | _ -> mutateLines rng (pick rng seeds) text
    text

/// The offset where a .npy image's header text starts and its length (0, 0 when the prelude is cut).
let private headerSpan (bytes: byte array) =
    if bytes.Length < 10 then 0, 0
    elif bytes.[6] = 1uy then 10, min (int (BitConverter.ToUInt16(bytes, 8))) (bytes.Length - 10)
    elif bytes.Length >= 12 then 12, min (int (BitConverter.ToUInt32(bytes, 8) &&& 0xFFFFu)) (bytes.Length - 12)
    else 0, 0

/// Header edits worth trying: keys, values and characters NumPy's header parser meets or refuses.
let private headerPieces =
    [| "'descr'"; "'<f4'"; "'<f8'"; "'<i4'"; "'|b1'"; "'>f4'"; "'<i8'"; "True"; "False"; "()"; "(0,)"; "(3,)"; "(2, 3)"
       "(-1,)"; "(2147483648,)"; "(100000, 100000)"; "'shape'"; "'fortran_order'"; ","; ":"; "{"; "}"; "\000"; "\u00A0"; "L" |]

/// A mutant of one of the .npy images: bytes flipped, inserted, removed or cut off, the version or
/// header length changed, or a header piece spliced into the header text.
let mutateNpy (rng: Random) (seeds: byte array array) =
    let bytes = ResizeArray(pick rng seeds)
    for _ in 1 .. (if rng.Next 2 = 0 then 1 else 2 + rng.Next 2) do
        let pos () = if bytes.Count = 0 then 0 else rng.Next bytes.Count
        let start, len = headerSpan (bytes.ToArray())
        match rng.Next 8 with
        | 7 when bytes.Count > start + len ->
            // A data byte changed: any bits are a valid f32, f64 or i32 (a bool byte must stay 0 or 1).
            let p = start + len + rng.Next(bytes.Count - start - len)
            bytes.[p] <- byte (rng.Next 256)
        | 0 when bytes.Count > 0 -> let p = pos () in bytes.[p] <- bytes.[p] ^^^ byte (1 <<< rng.Next 8)
        | 1 -> bytes.Insert(pos (), byte (rng.Next 256))
        | 2 when bytes.Count > 0 -> bytes.RemoveAt(pos ())
        | 3 when bytes.Count > 0 -> let p = pos () in bytes.RemoveRange(p, bytes.Count - p)
        | 4 when bytes.Count > 9 -> bytes.[6 + rng.Next 4] <- byte (pick rng [| 0; 1; 2; 3; 4; 255 |])
        | 5 when bytes.Count > 9 -> bytes.Add(byte (rng.Next 256))
        | _ ->
            if len > 0 then
                let header = Encoding.Latin1.GetString(bytes.GetRange(start, len).ToArray())
                let at = rng.Next header.Length
                let cut = min (rng.Next 6) (header.Length - at)
                let edited = header.Remove(at, cut).Insert(at, pick rng headerPieces)
                // Keep the header's length field: pad or trim to the old length, so only the text changes.
                let fitted = if edited.Length >= len then edited.Substring(0, len) else edited.PadRight len
                bytes.RemoveRange(start, len)
                bytes.InsertRange(start, Encoding.Latin1.GetBytes fitted)
    bytes.ToArray()
