import DeviceSimulator
print("onion-device: not yet implemented")
