/**
 * Python source for in-tree PEP 517 backends of test fixtures (`backend-path`): no setuptools, no
 * network. `WRITE_WHEEL` defines `write_wheel(directory, name, version, files, requires_dist)`, which
 * writes a pure-Python wheel with METADATA, WHEEL and RECORD and returns its filename; like real
 * backends it dates members from SOURCE_DATE_EPOCH (the builder sets it), so rebuilds give the same bytes.
 */
export const WRITE_WHEEL = `
import base64, hashlib, os, time, zipfile

def write_wheel(directory, name, version, files, requires_dist=()):
    info = "%s-%s.dist-info" % (name, version)
    files = dict(files)
    files[info + "/METADATA"] = "Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n%s" % (
        name, version, "".join("Requires-Dist: %s\\n" % r for r in requires_dist))
    files[info + "/WHEEL"] = "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    filename = "%s-%s-py3-none-any.whl" % (name, version)
    stamp = time.gmtime(int(os.environ["SOURCE_DATE_EPOCH"]))[:6]
    record = []
    with zipfile.ZipFile(os.path.join(directory, filename), "w") as z:
        for path, text in sorted(files.items()):
            data = text.encode()
            z.writestr(zipfile.ZipInfo(path, stamp), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
        record.append(info + "/RECORD,,")
        z.writestr(zipfile.ZipInfo(info + "/RECORD", stamp), "\\n".join(record) + "\\n")
    return filename
`;
