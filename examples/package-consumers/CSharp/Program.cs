using ArrayLang.Compile;
using ArrayLang.CSharp;
using ArrayLang.Tracing;
using ArrayLang.Values;

var softmax = Fn.Of((Tensor x) => Tensor.Exp(x - x.MaxOver()) / Tensor.Exp(x - x.MaxOver()).Sum());
var batched = softmax.Vmap().Jit();
var y = batched.Invoke(NDArray.From(new float[,] { { 1f, 2f, 3f }, { 0f, 0f, 0f } })).ToArray<float>();
Console.WriteLine("softmax rows: " + string.Join(", ", y));
var inner = Fn.Of((Tensor v) => v[1..^1]).Jit();
Console.WriteLine("inner: " + string.Join(", ", inner.Invoke(NDArray.From(new[] { 1f, 2f, 3f, 4f })).ToArray<float>()));
Console.WriteLine($"default backend: {DefaultBackend.Instance.Name} (found among: {string.Join(", ", DefaultBackend.Referenced.Select(p => p.Name))})");
