# Independent check of the tiny checkpoints written by Directer.Testing, in Python (no .NET code shared):
# every .safetensors file follows the format rules of Hugging Face's safetensors library (header padded to a
# multiple of 8, starts with '{', offsets contiguous from 0 to the end of the data, "__metadata__" {"format": "pt"},
# names sorted), and every tensor holds exactly the values of a from-scratch Python port of the generator
# (SplitMix64 + Irwin-Hall normals, rounded to the tensor's dtype by torch).
#   dotnet run --project tests/Directer.Testing -- write-checkpoints /tmp/tiny
#   /usr/bin/python3 tests/Directer.Testing/verify_tiny_checkpoints.py /tmp/tiny
# Needs numpy and torch (Debian's python3-torch is enough). Takes a few seconds.
import json, struct, glob, os, sys
import numpy as np, torch
M=(1<<64)-1
def splitmix(seed):
    s=seed
    while True:
        s=(s+0x9E3779B97F4A7C15)&M; z=s
        z=((z^(z>>30))*0xBF58476D1CE4E5B9)&M
        z=((z^(z>>27))*0x94D049BB133111EB)&M
        yield z^(z>>31)
def fnv(name):
    h=14695981039346656037
    for c in name: h=((h^ord(c))*1099511628211)&M
    return h
def dist(name):
    if name.endswith("layernorm.weight") or name.endswith("_norm.weight") or name=="model.norm.weight": return 1.0,0.1
    if name.endswith(".bias"): return 0.0,0.05
    if "q_proj" in name or "k_proj" in name or "qkv_proj" in name or name in ("model.embed_tokens.weight","lm_head.weight"): return 0.0,0.1
    return 0.0,0.05
# Keep in sync with TinyCheckpoints.cs.
seeds={"llama-gqa-f32":20240611,"qwen2-bias-tied-bf16":7,"llama31-rope-scaling":31,"llama-sharded":2,"mistral-sliding":13,"llama-bias-f32":99,
       "qwen3-tied-bf16":3,"phi3-fused-f32":33,"phi3-longrope-partial":35,"llama32-tied":32}
def values(seed,name,n):
    g=splitmix(seed^fnv(name)); out=np.empty(n,dtype=np.float32); mean,std=dist(name)
    for i in range(n):
        s=0.0
        for _ in range(12): s+=(next(g)>>11)*(1.0/(1<<53))
        out[i]=np.float32(mean+std*(s-6.0))
    return out
tdt={"F32":torch.float32,"BF16":torch.bfloat16,"F16":torch.float16}
for d in sorted(glob.glob(sys.argv[1]+"/*")):
    spec=os.path.basename(d); n=0
    for f in sorted(glob.glob(d+"/*.safetensors")):
        b=open(f,"rb").read(); N=struct.unpack("<Q",b[:8])[0]; assert N%8==0
        hs=b[8:8+N].decode(); assert hs[0]=="{"
        h=json.loads(hs); meta=h.pop("__metadata__"); assert meta=={"format":"pt"}
        data=b[8+N:]; pos=0
        for name,e in sorted(h.items(), key=lambda kv: kv[1]["data_offsets"][0]):
            s,en=e["data_offsets"]; assert s==pos, (f,name); pos=en
            t=torch.frombuffer(bytearray(data[s:en]),dtype=tdt[e["dtype"]]).reshape(e["shape"]) if en>s else None
            ref=torch.from_numpy(values(seeds[spec],name,int(np.prod(e["shape"])))).reshape(e["shape"]).to(tdt[e["dtype"]])
            assert torch.equal(t,ref),(f,name); n+=1
        assert pos==len(data)
        assert list(h)==sorted(h), "names sorted"
    print(spec,"ok",n,"tensors")
