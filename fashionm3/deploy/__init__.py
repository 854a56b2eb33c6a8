"""Deployment: the GPU memory plan, ZeroGPU quota handling and the portable prebuilt index."""
