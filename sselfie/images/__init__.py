"""Pure-Python photo handling for the studio: decoding, face checks, sets, training zips.

No Django in here, so it can be tested and benchmarked on its own. Modules:

- `decode`: safe decoding of untrusted uploads into upright sRGB images.
- `faces`: dlib face detection, 5-point landmarks, 128-d identity embeddings, head pose.
- `checks`: `assess_photo()`, every per-photo check plus cleaned and thumbnail bytes.
- `photoset`: `assess_set()`, duplicates, identity outliers, counts and diversity.
- `trainset`: `build_training_zip()`, the deterministic zip the trainer receives.
- `thumbs`: WebP thumbnails.
- `hashing`, `quality`, `problems`: perceptual hash, sharpness/exposure, user-facing wording.

Imports stay cheap: dlib models load on first use, once per process.
"""
