using ArrayLang.Compile;

// DefaultBackend finds this backend when the application references it (Note [default backend discovery]).
[assembly: BackendProvider(typeof(ArrayLang.Backends.Cuda.CudaBackendProvider))]
